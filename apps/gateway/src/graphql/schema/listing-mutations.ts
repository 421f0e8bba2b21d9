import { parseExternalId, parseId, parseListingInput } from "@darkroom/domain";
import { clearAllDataLoaders } from "@pothos/plugin-dataloader";
import {
  deleteListing,
  linkListingExternalId,
  type UpsertListingResult,
  unlinkListingExternalId,
  upsertListing,
} from "../../services/listings.ts";
import { builder } from "../builder.ts";
import {
  ExternalIdAlreadyLinkedError,
  FileNotFoundError,
  ListingAlreadyHasExternalIdError,
  ListingHasNoExternalIdError,
  ListingNotFoundError,
  ValidationError,
} from "./errors.ts";
import { ListingRef } from "./listing.ts";

const RequestedListingStatusEnum = builder.enumType("RequestedListingStatus", {
  description: "What a client may ask for; `ACTIVE` becomes `ACTIVE`, `PENDING_ACTIVE` or `PUBLISH_FAILED`.",
  values: { DRAFT: { value: "draft" }, ACTIVE: { value: "active" } } as const,
});

const ListingFileInput = builder.inputType("ListingFileInput", {
  description:
    "A photo of a listing: `{id}` or `{externalFileId}` (a file of the agency), or `{url, externalFileId}` " +
    "(the agency's file carrying that external ID, else an import from the URL).",
  fields: (t) => ({
    id: t.int({ description: "A file's databaseId." }),
    externalFileId: t.string({ description: "A file's external ID." }),
    url: t.string({ description: "http or https, public addresses only; needs externalFileId." }),
  }),
});

const UpsertListingInput = builder.inputType("UpsertListingInput", {
  description: "The body of `PUT /api/v1/listings`: the whole listing; a field left out takes its default.",
  fields: (t) => ({
    externalId: t.string({ required: true }),
    title: t.string({ description: 'At most 500 characters; default "".' }),
    status: t.field({ type: RequestedListingStatusEnum, description: "Default DRAFT; ACTIVE needs at least 3 files." }),
    files: t.field({
      type: [ListingFileInput],
      description: "The photos in order, at most 20, none twice; default none. Replaces the current ones.",
    }),
  }),
});

/** The fields given, as they would be in REST's JSON body (null means left out). */
function given<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null)) as Partial<T>;
}

const UpsertListingSuccess = builder.objectRef<UpsertListingResult>("UpsertListingSuccess").implement({
  fields: (t) => ({
    listing: t.field({ type: ListingRef, resolve: (result) => result.id }),
    created: t.boolean({
      description: "True when this call created the listing (parallel upserts of one listing: exactly one).",
      resolve: (result) => "created" in result,
    }),
    jobId: t.int({
      nullable: true,
      description:
        "The `publish_listing` job waiting for the optimizer, when the listing is PENDING_ACTIVE (`Query.job`).",
      resolve: (result) => result.jobId ?? null,
    }),
    publicErrorMessage: t.string({
      nullable: true,
      description: "Why the listing is PUBLISH_FAILED, naming the file.",
      resolve: (result) => result.publicErrorMessage ?? null,
    }),
  }),
});

const DeleteListingSuccess = builder.objectRef<{ listingId: number }>("DeleteListingSuccess").implement({
  fields: (t) => ({
    listingId: t.exposeInt("listingId", { description: "The databaseId of the deleted listing." }),
    deletedId: t.globalID({
      description: "The global id of the deleted listing, to evict it from a client cache.",
      resolve: (result) => ({ type: "Listing", id: result.listingId }),
    }),
  }),
});

const LinkListingSuccess = builder.objectRef<{ id: number }>("LinkListingSuccess").implement({
  description: "The listing now carries the external ID.",
  fields: (t) => ({ listing: t.field({ type: ListingRef, resolve: (result) => result.id }) }),
});

const UnlinkListingSuccess = builder.objectRef<{ id: number; externalId: string }>("UnlinkListingSuccess").implement({
  description: "The listing's external ID is free again.",
  fields: (t) => ({
    listing: t.field({ type: ListingRef, resolve: (result) => result.id }),
    externalId: t.exposeString("externalId", { description: "The external ID that was unlinked." }),
  }),
});

builder.mutationFields((t) => ({
  upsertListing: t.field({
    type: UpsertListingSuccess,
    description:
      "Creates or updates the agency's listing with `input.externalId`, replaces its photos in order and decides " +
      "its status. The rules of `PUT /api/v1/listings`.",
    errors: { types: [ValidationError, FileNotFoundError] },
    args: { input: t.arg({ type: UpsertListingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const body = { ...given(input), ...(input.files == null ? {} : { files: input.files.map(given) }) };
      const result = await upsertListing(ctx.deps, ctx.agency.id, parseListingInput(body));
      clearAllDataLoaders(ctx); // the listing, its files and theirs listings are read afresh
      return result;
    },
  }),
  deleteListing: t.field({
    type: DeleteListingSuccess,
    description: "Deletes a listing (its files stay); a publication still waiting ends `failed`.",
    errors: { types: [ValidationError, ListingNotFoundError] },
    args: { id: t.arg.int({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const listingId = parseId(id, "id");
      await deleteListing(ctx.deps, ctx.agency.id, listingId);
      clearAllDataLoaders(ctx);
      return { listingId };
    },
  }),
  linkListingExternalId: t.field({
    type: LinkListingSuccess,
    description: "Gives a listing an external ID (`POST /api/v1/listings/:id/link`); idempotent when it has that one.",
    errors: {
      types: [ValidationError, ListingNotFoundError, ExternalIdAlreadyLinkedError, ListingAlreadyHasExternalIdError],
      union: { name: "LinkListingResult" },
    },
    args: { id: t.arg.int({ required: true }), externalId: t.arg.string({ required: true }) },
    resolve: async (_root, { id, externalId }, ctx) => {
      const linked = await linkListingExternalId(
        ctx.deps,
        ctx.agency.id,
        parseId(id, "id"),
        parseExternalId(externalId),
      );
      clearAllDataLoaders(ctx);
      return linked;
    },
  }),
  unlinkListingExternalId: t.field({
    type: UnlinkListingSuccess,
    description: "Frees a listing's external ID (`DELETE /api/v1/listings/:id/link`).",
    errors: {
      types: [ValidationError, ListingNotFoundError, ListingHasNoExternalIdError],
      union: { name: "UnlinkListingResult" },
    },
    args: { id: t.arg.int({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const unlinked = await unlinkListingExternalId(ctx.deps, ctx.agency.id, parseId(id, "id"));
      clearAllDataLoaders(ctx);
      return unlinked;
    },
  }),
}));
