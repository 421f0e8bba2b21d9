import type { RouteDoc } from "../http/openapi.ts";
import {
  bulkBody,
  externalIdParams,
  idParams,
  jobStatusQuery,
  linkBody,
  listListingsQuery,
  listMediaQuery,
  uploadFromUrlBody,
  uploadUrlBody,
  upsertListingBody,
} from "../http/validation.ts";

/**
 * The OpenAPI documentation of every route, built on the schemas the handlers validate with.
 * Every error answer is `{statusCode, message, error, code}` (see the Error schema).
 */
const auth = {
  400: "Validation failed (message is an array) or both auth headers",
  401: "API key missing or invalid",
  403: "Agency is suspended",
  429: "Too Many Requests",
};
const notFound = { 404: "File not found (also: another agency's file)" };
const listingNotFound = { 404: "Listing not found (also: another agency's listing)" };
const media = "Media";
const listings = "Listings";

export const routeDocs = {
  upload: {
    summary: "Upload a photo (multipart, streamed)",
    tag: media,
    bodyType: "multipart",
    responses: {
      201: "The media object, optimization pending",
      200: "A byte-identical retry with the same external ID: the existing file",
      ...auth,
      409: "External ID already linked (mediaId of the holder in the body)",
      413: "File too large",
      415: "Unsupported file type (sniffed from the bytes)",
    },
  },
  list: {
    summary: "List files, newest first",
    tag: media,
    query: listMediaQuery,
    responses: { 200: "{items: [media], nextCursor}", ...auth },
  },
  get: {
    summary: "Get a file",
    tag: media,
    params: idParams,
    responses: { 200: "The media object", ...auth, ...notFound },
  },
  getExternal: {
    summary: "Get a file by its external ID (URL-encoded)",
    tag: media,
    params: externalIdParams,
    responses: { 200: "The media object", ...auth, ...notFound },
  },
  delete: {
    summary: "Delete a file (irreversible; unlinked from every listing)",
    tag: media,
    params: idParams,
    responses: { 200: "{deleted: true}", ...auth, ...notFound },
  },
  deleteExternal: {
    summary: "Delete a file by its external ID",
    tag: media,
    params: externalIdParams,
    responses: { 200: "{deleted: true, mediaId}", ...auth, ...notFound },
  },
  link: {
    summary: "Give a file an external ID",
    tag: media,
    params: idParams,
    body: linkBody,
    responses: {
      200: "{mediaId, externalId, linked: true} (also when it already carries it)",
      ...auth,
      ...notFound,
      409: "External ID already linked / File already has external ID",
      413: "Request body too large",
      415: "Content-Type must be application/json",
    },
  },
  unlink: {
    summary: "Remove a file's external ID",
    tag: media,
    params: idParams,
    responses: { 200: "{mediaId, externalId, unlinked: true}", ...auth, ...notFound, 409: "File has no external ID" },
  },
  reoptimize: {
    summary: "Optimize a file again",
    tag: media,
    params: idParams,
    responses: { 202: "The media object, optimization pending", ...auth, ...notFound },
  },
  uploadFromUrl: {
    summary: "Import a photo from a URL (downloaded in the background)",
    tag: media,
    body: uploadFromUrlBody,
    responses: {
      202: "{mediaId, status: pending, externalId, jobId}",
      200: "The same URL and external ID again: the existing file",
      ...auth,
      409: "External ID already linked",
    },
  },
  uploadUrl: {
    summary: "Get a signed URL to PUT a photo straight to storage (30 minutes)",
    tag: media,
    body: uploadUrlBody,
    responses: {
      201: "{mediaId, uploadUrl, method: PUT, headers, expiresAt}",
      ...auth,
      409: "External ID already linked",
      413: "File too large",
    },
  },
  complete: {
    summary: "Complete a signed upload: check the stored bytes and queue optimization",
    tag: media,
    params: idParams,
    responses: { 202: "The media object", ...auth, ...notFound, 415: "Unsupported file type" },
  },
  bulk: {
    summary: "Run up to 100 independent operations (30 requests a minute)",
    tag: media,
    body: bulkBody,
    responses: {
      200: "{results: [{index, ok, status, data | error}], summary}",
      ...auth,
      422: "All bulk operations failed (with the results)",
    },
  },
  jobStatus: {
    summary: "The status of a job you started (URL import, listing publication)",
    tag: "Jobs",
    query: jobStatusQuery,
    responses: { 200: "{id, type, status, createdAt, resultData, publicErrorMessage}", ...auth, 404: "Job not found" },
  },
  upsertListing: {
    summary: "Create or update a listing by its external ID, with its photos in order",
    tag: listings,
    body: upsertListingBody,
    responses: {
      200: "{id, externalId, status, created | updated, jobId}",
      ...auth,
      404: "File not found (a file given by id or external ID)",
    },
  },
  listListings: {
    summary: "List listings, newest first",
    tag: listings,
    query: listListingsQuery,
    responses: { 200: "{items, nextCursor}", ...auth },
  },
  getListing: {
    summary: "Get a listing with its files in order",
    tag: listings,
    params: idParams,
    responses: { 200: "The listing", ...auth, ...listingNotFound },
  },
  deleteListing: {
    summary: "Delete a listing (the files stay)",
    tag: listings,
    params: idParams,
    responses: { 200: "{deleted: true}", ...auth, ...listingNotFound },
  },
  linkListing: {
    summary: "Give a listing an external ID",
    tag: listings,
    params: idParams,
    body: linkBody,
    responses: {
      200: "{id, externalId, linked: true}",
      ...auth,
      ...listingNotFound,
      409: "External ID already linked",
    },
  },
  unlinkListing: {
    summary: "Remove a listing's external ID",
    tag: listings,
    params: idParams,
    responses: {
      200: "{id, externalId, unlinked: true}",
      ...auth,
      ...listingNotFound,
      409: "Listing has no external ID",
    },
  },
  agency: { summary: "The agency of the API key", tag: "Agency", responses: { 200: "{id, name, status}", ...auth } },
  health: {
    summary: "Whether the database answers",
    tag: "Operations",
    public: true,
    responses: { 200: '{status: "ok"}', 503: '{status: "unavailable"}' },
  },
  metrics: { summary: "Prometheus metrics", tag: "Operations", public: true, responses: { 200: "Prometheus text" } },
  files: {
    summary: "A stored file (filesystem storage): original or variant, immutable",
    tag: "Files",
    public: true,
    responses: { 200: "The bytes", 304: "Not modified (ETag)", 404: "File not found" },
  },
  directUpload: {
    summary: "PUT the bytes of a signed upload (filesystem storage); the signature is the authorization",
    tag: "Files",
    public: true,
    bodyType: "binary",
    responses: {
      200: "{uploaded: true}",
      400: "Not the signed size",
      403: "Upload URL is invalid or expired",
      413: "File too large",
    },
  },
  graphql: {
    summary: "GraphQL (see apps/gateway/schema.graphql); GraphiQL in a browser",
    tag: "GraphQL",
    responses: { 200: "A GraphQL response", 401: "API key missing or invalid" },
  },
} satisfies Record<string, RouteDoc>;
