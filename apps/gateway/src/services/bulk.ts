import { DomainError, errorBody, parseExternalId, parseId, ValidationError } from "@darkroom/domain";
import { type ImportDeps, importFromUrl } from "./import.ts";
import { deleteMedia, linkExternalId, unlinkExternalId } from "./media.ts";

export const MAX_BULK_OPERATIONS = 100;

export interface BulkResult {
  index: number;
  ok: boolean;
  status: number;
  data?: unknown;
  error?: ReturnType<typeof errorBody>;
}

function field(operation: Record<string, unknown>, name: string): unknown {
  return operation[name];
}

/** One operation, through the same services as its single route; throws what that route would answer. */
async function runOperation(
  deps: ImportDeps,
  agencyId: number,
  operation: unknown,
): Promise<{ status: number; data: unknown }> {
  if (typeof operation !== "object" || operation === null || Array.isArray(operation)) {
    throw new ValidationError(["operation must be an object"]);
  }
  const op = operation as Record<string, unknown>;
  switch (op.op) {
    case "upload-from-url": {
      const externalId = op.externalId === undefined ? undefined : parseExternalId(op.externalId);
      const result = await importFromUrl(deps, agencyId, { url: field(op, "url"), externalId });
      return { status: result.status, data: result.body };
    }
    case "delete": {
      if (op.id !== undefined) {
        await deleteMedia(deps, agencyId, { id: parseId(op.id) });
        return { status: 200, data: { deleted: true } };
      }
      const { mediaId } = await deleteMedia(deps, agencyId, { externalId: parseExternalId(op.externalId) });
      return { status: 200, data: { deleted: true, mediaId } };
    }
    case "link":
      return {
        status: 200,
        data: await linkExternalId(deps, agencyId, parseId(op.id), parseExternalId(op.externalId)),
      };
    case "unlink":
      return { status: 200, data: await unlinkExternalId(deps, agencyId, parseId(op.id)) };
    default:
      throw new ValidationError(["op must be one of upload-from-url, delete, link, unlink"]);
  }
}

/**
 * Runs up to 100 independent operations in order: one failing does not undo another. Every result
 * carries what its single route would have answered. All failing answers 422.
 */
export async function runBulk(deps: ImportDeps, agencyId: number, operations: unknown) {
  if (!Array.isArray(operations)) throw new ValidationError(["operations must be an array"]);
  if (operations.length === 0) throw new ValidationError(["operations must not be empty"]);
  if (operations.length > MAX_BULK_OPERATIONS) {
    throw new ValidationError([`operations must hold at most ${MAX_BULK_OPERATIONS} items`]);
  }
  const results: BulkResult[] = [];
  for (const [index, operation] of operations.entries()) {
    try {
      const { status, data } = await runOperation(deps, agencyId, operation);
      results.push({ index, ok: true, status, data });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ index, ok: false, status: error.status, error: errorBody(error) });
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  const body = { results, summary: { total: results.length, succeeded, failed: results.length - succeeded } };
  if (succeeded === 0) throw new DomainError("ALL_BULK_OPERATIONS_FAILED", body);
  return body;
}
