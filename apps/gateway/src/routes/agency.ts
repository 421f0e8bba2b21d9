import type { FastifyInstance } from "fastify";
import { routeDocs as D } from "./route-docs.ts";

export async function agencyRoutes(app: FastifyInstance) {
  app.get("/agency", { config: { doc: D.agency } }, async (request) => {
    const { id, name, status } = request.agency;
    return { id, name, status };
  });
}
