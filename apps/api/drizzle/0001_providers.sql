CREATE TABLE "provider" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"base_url" text,
	"default_model" text,
	"key_ciphertext" text,
	"key_iv" text,
	"key_tag" text,
	"key_id" text,
	"api_key_hint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "provider" ADD CONSTRAINT "provider_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "provider_user_name_idx" ON "provider" USING btree ("user_id","name");--> statement-breakpoint
CREATE INDEX "provider_key_id_idx" ON "provider" USING btree ("key_id");