ALTER TABLE "media" ADD COLUMN "file_name" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "captured_at" text;--> statement-breakpoint
ALTER TABLE "pending_uploads" ADD COLUMN "file_name" text;