import { parseListingInput } from "@darkroom/domain";
import type { FastifyInstance } from "fastify";
import { idParams, linkBody, listListingsQuery, parseInput } from "../http/validation.ts";
import {
  deleteListing,
  getListing,
  type ListingDeps,
  linkListingExternalId,
  listListings,
  unlinkListingExternalId,
  upsertListing,
} from "../services/listings.ts";

/** Listings: upsert by external ID with ordered photos, reads, delete, external-ID link and unlink. */
export async function listingRoutes(app: FastifyInstance, deps: ListingDeps) {
  app.put("/listings", { config: { jsonBody: true } }, async (request) => {
    return upsertListing(deps, request.agency.id, parseListingInput(request.body));
  });

  app.get("/listings", async (request) => {
    const query = parseInput(listListingsQuery, request.query);
    return listListings(deps, request.agency.id, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
  });

  app.get("/listings/:id", async (request) => {
    const { id } = parseInput(idParams, request.params);
    return getListing(deps, request.agency.id, id);
  });

  app.delete("/listings/:id", async (request) => {
    const { id } = parseInput(idParams, request.params);
    return deleteListing(deps, request.agency.id, id);
  });

  app.post("/listings/:id/link", { config: { jsonBody: true } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { externalId } = parseInput(linkBody, request.body);
    return linkListingExternalId(deps, request.agency.id, id, externalId);
  });

  app.delete("/listings/:id/link", async (request) => {
    const { id } = parseInput(idParams, request.params);
    return unlinkListingExternalId(deps, request.agency.id, id);
  });
}
