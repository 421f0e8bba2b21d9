import { encodeCursor, PAGE_SIZE, ValidationError } from "@darkroom/domain";

/** A connection's `first`, checked as REST checks `limit`. */
export function pageLimit(first: number | null | undefined): number {
  const limit = first ?? PAGE_SIZE.default;
  if (limit < PAGE_SIZE.min || limit > PAGE_SIZE.max) {
    throw new ValidationError([`first must be an integer from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`]);
  }
  return limit;
}

/** One page of a REST list as a Relay connection: the cursors are REST's, so both page alike. */
export function connectionOf<T extends { id: number }>(page: { items: T[]; nextCursor: string | null }) {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
