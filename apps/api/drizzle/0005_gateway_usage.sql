CREATE TABLE "gateway_usage" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"api_key_id" text NOT NULL,
	"provider_id" text,
	"model" text,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "gateway_usage_key" UNIQUE NULLS NOT DISTINCT("user_id","day","api_key_id","provider_id","model")
);
--> statement-breakpoint
ALTER TABLE "gateway_usage" ADD CONSTRAINT "gateway_usage_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;