DROP INDEX "message_parent_idx";--> statement-breakpoint
ALTER TABLE "chat" ADD COLUMN "current_leaf_id" text;--> statement-breakpoint
ALTER TABLE "chat" ADD COLUMN "import_key" text;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "origin" text;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_user_import_key_idx" ON "chat" USING btree ("user_id","import_key");--> statement-breakpoint
CREATE INDEX "message_chat_parent_idx" ON "message" USING btree ("chat_id","parent_id","seq");--> statement-breakpoint
-- Hand-written below. Conversations become trees. Before, a question was stored as a root and the history was the
-- chat's questions in order, each with its newest reply: each question now hangs under the newest reply (created
-- before it) of the question before it, or under that question when it has no reply.
WITH "q" AS (
  SELECT "id", "chat_id", "seq", lag("id") OVER (PARTITION BY "chat_id" ORDER BY "seq") AS "prev"
  FROM "message" WHERE "role" = 'user'
)
UPDATE "message" m SET "parent_id" = coalesce(
  (SELECT r."id" FROM "message" r
   WHERE r."chat_id" = "q"."chat_id" AND r."parent_id" = "q"."prev" AND r."seq" < "q"."seq"
   ORDER BY r."seq" DESC LIMIT 1),
  "q"."prev")
FROM "q" WHERE m."id" = "q"."id" AND m."parent_id" IS NULL AND "q"."prev" IS NOT NULL;
--> statement-breakpoint
-- Each existing chat is on its newest message.
UPDATE "chat" c SET "current_leaf_id" = (
  SELECT m."id" FROM "message" m WHERE m."chat_id" = c."id" ORDER BY m."seq" DESC NULLS LAST LIMIT 1);
--> statement-breakpoint
-- Copies (forks) and imports were not generated here: the usage rollups leave them out.
DROP TRIGGER "usage_daily_on_message_insert" ON "message";
--> statement-breakpoint
CREATE TRIGGER "usage_daily_on_message_insert" AFTER INSERT ON "message" FOR EACH ROW
  WHEN (NEW."role" = 'assistant' AND NEW."status" IN ('complete', 'stopped', 'error') AND NEW."origin" IS NULL)
  EXECUTE FUNCTION "usage_daily_on_message_write"();
--> statement-breakpoint
DROP TRIGGER "usage_daily_on_message_update" ON "message";
--> statement-breakpoint
CREATE TRIGGER "usage_daily_on_message_update" AFTER UPDATE ON "message" FOR EACH ROW
  WHEN (NEW."role" = 'assistant' AND NEW."origin" IS NULL AND (OLD."status", OLD."input_tokens", OLD."output_tokens") IS DISTINCT FROM (NEW."status", NEW."input_tokens", NEW."output_tokens"))
  EXECUTE FUNCTION "usage_daily_on_message_write"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "usage_daily_on_message_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_daily" AS u ("user_id", "day", "provider_id", "model", "input_tokens", "output_tokens", "messages")
  SELECT g."user_id", (g."created_at" AT TIME ZONE 'UTC')::date, g."provider_id", g."model",
    -sum(coalesce(g."input_tokens", 0)), -sum(coalesce(g."output_tokens", 0)), -count(*)::integer
  FROM gone g JOIN "user" owner ON owner."id" = g."user_id" AND owner."deleting_at" IS NULL
  WHERE g."role" = 'assistant' AND g."status" IN ('complete', 'stopped', 'error') AND g."origin" IS NULL
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT "usage_daily_key" DO UPDATE SET
    "input_tokens" = u."input_tokens" + excluded."input_tokens",
    "output_tokens" = u."output_tokens" + excluded."output_tokens",
    "messages" = u."messages" + excluded."messages";
  RETURN NULL;
END
$$;
