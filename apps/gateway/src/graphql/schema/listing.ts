import { listingRepository } from "@darkroom/db";
import {
  isListingStatus,
  LISTING_STATUSES,
  type ListingStatus,
  PAGE_SIZE,
  parseId,
  type RestMedia,
} from "@darkroom/domain";
import { listListings } from "../../services/listings.ts";
import { representMedia } from "../../services/media-store.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { connectionOf, pageLimit } from "../pages.ts";
import { MediaRef } from "./media.ts";

/** A listing as its row holds it, or as REST represents it: the fields both have. */
export interface ListingShape {
  id: number;
  externalId: string | null;
  title: string;
  status: string;
  createdAt: Date | string;
  updatedAt: Date | string;
}

export const ListingStatusEnum = builder.enumType("ListingStatus", {
  description:
    "`DRAFT`, or, asked to be active: `ACTIVE` with at least 3 files all optimized, `PENDING_ACTIVE` while it waits " +
    "for them, `PUBLISH_FAILED` once one of them failed.",
  values: Object.fromEntries(LISTING_STATUSES.map((status) => [status.toUpperCase(), { value: status }])) as Record<
    Uppercase<ListingStatus>,
    { value: ListingStatus }
  >,
});

/** The caller's listings among `ids`, in no particular order (one statement). */
async function loadListings(ids: number[], ctx: GraphQLContext): Promise<ListingShape[]> {
  return listingRepository(ctx.deps.db).findMany(ctx.agency.id, ids);
}

/**
 * A listing of the caller's agency. Fields returning `Listing` may return a databaseId: the
 * listings are then loaded in one batch per request, scoped to the caller's agency.
 */
export const ListingRef = builder.loadableNodeRef("Listing", {
  load: loadListings,
  sort: (listing) => listing.id,
  cacheResolved: (listing) => listing.id,
  id: { resolve: (listing) => listing.id, parse: (id) => parseId(id) },
});

/** The files of each listing among `listingIds`, in the listing's order: one statement, then one for the variants. */
async function mediaOfListings(listingIds: number[], ctx: GraphQLContext): Promise<RestMedia[][]> {
  const rows = await listingRepository(ctx.deps.db).mediaOf(ctx.agency.id, listingIds);
  const represented = await representMedia(
    ctx.deps,
    rows.map((row) => row.media),
  );
  return listingIds.map((id) => represented.filter((_, index) => rows[index]?.listingId === id));
}

/** The caller's listings holding each file among `mediaIds`, newest first (one statement). */
async function listingsOfMedia(mediaIds: number[], ctx: GraphQLContext): Promise<ListingShape[][]> {
  const rows = await listingRepository(ctx.deps.db).holdingMedia(ctx.agency.id, mediaIds);
  const loader = ListingRef.getDataloader(ctx);
  for (const { listing } of rows) loader.prime(listing.id, listing);
  return mediaIds.map((id) => rows.filter((row) => row.mediaId === id).map((row) => row.listing));
}

ListingRef.implement({
  description:
    "An agency's property ad: a title, a status and up to 20 photos in order (REST: `/api/v1/listings`). " +
    "Its publication waits for the optimization of its photos.",
  fields: (t) => ({
    databaseId: t.exposeInt("id", { description: "The id of the REST API (`/api/v1/listings/:id`)." }),
    externalId: t.exposeString("externalId", { nullable: true }),
    title: t.exposeString("title"),
    status: t.field({
      type: ListingStatusEnum,
      resolve: (listing) => {
        if (!isListingStatus(listing.status)) throw new Error(`listing ${listing.id} has an unknown status`);
        return listing.status;
      },
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    media: t.loadableList({
      type: MediaRef,
      description: "The listing's photos, in its order.",
      load: mediaOfListings,
      resolve: (listing) => listing.id,
    }),
  }),
});

builder.objectField(MediaRef, "listings", (t) =>
  t.loadableList({
    type: ListingRef,
    description: "The caller's listings that show this file, newest first.",
    load: listingsOfMedia,
    resolve: (file) => file.id,
  }),
);

const ListingConnection = builder.connectionObject(
  { type: ListingRef, name: "ListingConnection" },
  { name: "ListingEdge" },
);

builder.queryFields((t) => ({
  listing: t.field({
    type: ListingRef,
    nullable: true,
    description: "A listing of the caller's agency by its databaseId; null when there is none.",
    args: { id: t.arg.int({ required: true }) },
    resolve: (_root, { id }) => parseId(id, "id"),
  }),
  listings: t.field({
    type: ListingConnection,
    description: `The caller's listings, newest first, ${PAGE_SIZE.min}-${PAGE_SIZE.max} a page. Cursors are REST's.`,
    args: { first: t.arg.int({ defaultValue: PAGE_SIZE.default }), after: t.arg.string() },
    resolve: async (_root, { first, after }, ctx) => {
      const limit = pageLimit(first);
      return connectionOf(
        await listListings(ctx.deps, ctx.agency.id, { limit, ...(after == null ? {} : { cursor: after }) }),
      );
    },
  }),
}));
