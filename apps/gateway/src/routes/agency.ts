import type { FastifyInstance } from "fastify";

export async function agencyRoutes(app: FastifyInstance) {
  app.get("/agency", async (request) => {
    const { id, name, status } = request.agency;
    return { id, name, status };
  });
}
