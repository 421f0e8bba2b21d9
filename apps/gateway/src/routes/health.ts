import { pingDatabase, type Sql } from "@darkroom/db";
import type { FastifyInstance } from "fastify";
import { routeDocs as D } from "./route-docs.ts";

/** `GET /healthz`: 200 when the database answers within two seconds, 503 otherwise. */
export async function healthRoutes(app: FastifyInstance, deps: { sql: Sql }) {
  app.get("/healthz", { config: { doc: D.health } }, async (_request, reply) => {
    try {
      await Promise.race([
        pingDatabase(deps.sql),
        new Promise((_, reject) => setTimeout(() => reject(new Error("database timeout")), 2000).unref()),
      ]);
      return { status: "ok" };
    } catch {
      return reply.status(503).send({ status: "unavailable" });
    }
  });
}
