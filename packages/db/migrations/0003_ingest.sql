CREATE TYPE "public"."client_job_status" AS ENUM('pending', 'processing', 'completed', 'failed', 'failed_retryable');--> statement-breakpoint
CREATE TABLE "client_jobs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "client_jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"agency_id" integer NOT NULL,
	"type" text NOT NULL,
	"status" "client_job_status" DEFAULT 'pending' NOT NULL,
	"media_id" integer,
	"listing_id" integer,
	"result_data" jsonb,
	"public_error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_uploads" (
	"media_id" integer PRIMARY KEY NOT NULL,
	"agency_id" integer NOT NULL,
	"external_id" text,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"storage_prefix" text NOT NULL,
	"object_key" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_jobs" ADD CONSTRAINT "client_jobs_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_uploads" ADD CONSTRAINT "pending_uploads_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "client_jobs_agency_idx" ON "client_jobs" USING btree ("agency_id","id");--> statement-breakpoint
CREATE INDEX "pending_uploads_expires_idx" ON "pending_uploads" USING btree ("expires_at");