import type { FastifyInstance } from "fastify";
import { idParams, linkBody, listListingsQuery, parseInput, upsertListingBody } from "../http/validation.ts";
import {
  deleteListing,
  getListing,
  type ListingDeps,
  linkListingExternalId,
  listListings,
  unlinkListingExternalId,
  upsertListing,
} from "../services/listings.ts";
import { routeDocs as D } from "./route-docs.ts";

/** Listings: upsert by external ID with ordered photos, reads, delete, external-ID link and unlink. */
export async function listingRoutes(app: FastifyInstance, deps: ListingDeps) {
  app.put("/listings", { config: { jsonBody: true, doc: D.upsertListing } }, async (request) => {
    return upsertListing(deps, request.agency.id, parseInput(upsertListingBody, request.body));
  });

  app.get("/listings", { config: { doc: D.listListings } }, async (request) => {
    const query = parseInput(listListingsQuery, request.query);
    return listListings(deps, request.agency.id, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
  });

  app.get("/listings/:id", { config: { doc: D.getListing } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return getListing(deps, request.agency.id, id);
  });

  app.delete("/listings/:id", { config: { doc: D.deleteListing } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return deleteListing(deps, request.agency.id, id);
  });

  app.post("/listings/:id/link", { config: { jsonBody: true, doc: D.linkListing } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const { externalId } = parseInput(linkBody, request.body);
    return linkListingExternalId(deps, request.agency.id, id, externalId);
  });

  app.delete("/listings/:id/link", { config: { doc: D.unlinkListing } }, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return unlinkListingExternalId(deps, request.agency.id, id);
  });
}
