CREATE TABLE "optimizer_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
