CREATE TABLE "usage_daily" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"provider_id" text,
	"model" text,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_key" UNIQUE NULLS NOT DISTINCT("user_id","day","provider_id","model")
);
--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "deleting_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_user_created_idx" ON "chat" USING btree ("user_id","created_at","id");--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate functions or triggers). The rollups equal the sums over the
-- replies in a final status (complete, stopped, error) that exist: a reply adds its tokens when it reaches one, a
-- deleted reply takes them back. Kept in the database so every writer counts: the reply's final write, start-up
-- recovery of interrupted replies, imports, forks.
CREATE FUNCTION "usage_daily_add"(p_user text, p_created timestamptz, p_provider text, p_model text, p_input bigint, p_output bigint, p_messages integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "usage_daily" AS u ("user_id", "day", "provider_id", "model", "input_tokens", "output_tokens", "messages")
  VALUES (p_user, (p_created AT TIME ZONE 'UTC')::date, p_provider, p_model, p_input, p_output, p_messages)
  ON CONFLICT ON CONSTRAINT "usage_daily_key" DO UPDATE SET
    "input_tokens" = u."input_tokens" + excluded."input_tokens",
    "output_tokens" = u."output_tokens" + excluded."output_tokens",
    "messages" = u."messages" + excluded."messages";
$$;
--> statement-breakpoint
CREATE FUNCTION "usage_daily_on_message_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."role" = 'assistant' AND OLD."status" IN ('complete', 'stopped', 'error') THEN
    PERFORM "usage_daily_add"(OLD."user_id", OLD."created_at", OLD."provider_id", OLD."model",
      -coalesce(OLD."input_tokens", 0)::bigint, -coalesce(OLD."output_tokens", 0)::bigint, -1);
  END IF;
  IF NEW."role" = 'assistant' AND NEW."status" IN ('complete', 'stopped', 'error') THEN
    PERFORM "usage_daily_add"(NEW."user_id", NEW."created_at", NEW."provider_id", NEW."model",
      coalesce(NEW."input_tokens", 0)::bigint, coalesce(NEW."output_tokens", 0)::bigint, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- One statement per DELETE (a chat's thousands of messages are one grouped upsert, not one per row). A user whose
-- row is going or whose account is being deleted is skipped: the rollups go with the user row.
CREATE FUNCTION "usage_daily_on_message_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_daily" AS u ("user_id", "day", "provider_id", "model", "input_tokens", "output_tokens", "messages")
  SELECT g."user_id", (g."created_at" AT TIME ZONE 'UTC')::date, g."provider_id", g."model",
    -sum(coalesce(g."input_tokens", 0)), -sum(coalesce(g."output_tokens", 0)), -count(*)::integer
  FROM gone g JOIN "user" owner ON owner."id" = g."user_id" AND owner."deleting_at" IS NULL
  WHERE g."role" = 'assistant' AND g."status" IN ('complete', 'stopped', 'error')
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT "usage_daily_key" DO UPDATE SET
    "input_tokens" = u."input_tokens" + excluded."input_tokens",
    "output_tokens" = u."output_tokens" + excluded."output_tokens",
    "messages" = u."messages" + excluded."messages";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "usage_daily_on_message_insert" AFTER INSERT ON "message" FOR EACH ROW
  WHEN (NEW."role" = 'assistant' AND NEW."status" IN ('complete', 'stopped', 'error'))
  EXECUTE FUNCTION "usage_daily_on_message_write"();
--> statement-breakpoint
-- Checkpoints (text only) and a deleted provider (provider_id set to null) do not call the function.
CREATE TRIGGER "usage_daily_on_message_update" AFTER UPDATE ON "message" FOR EACH ROW
  WHEN (NEW."role" = 'assistant' AND (OLD."status", OLD."input_tokens", OLD."output_tokens") IS DISTINCT FROM (NEW."status", NEW."input_tokens", NEW."output_tokens"))
  EXECUTE FUNCTION "usage_daily_on_message_write"();
--> statement-breakpoint
CREATE TRIGGER "usage_daily_on_message_delete" AFTER DELETE ON "message" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION "usage_daily_on_message_delete"();
--> statement-breakpoint
-- Backfill, after the triggers exist: creating them locks out writers until this transaction commits, so no reply
-- finishes between the two.
INSERT INTO "usage_daily" ("user_id", "day", "provider_id", "model", "input_tokens", "output_tokens", "messages")
SELECT "user_id", ("created_at" AT TIME ZONE 'UTC')::date, "provider_id", "model",
  sum(coalesce("input_tokens", 0)), sum(coalesce("output_tokens", 0)), count(*)::integer
FROM "message"
WHERE "role" = 'assistant' AND "status" IN ('complete', 'stopped', 'error')
GROUP BY 1, 2, 3, 4;
