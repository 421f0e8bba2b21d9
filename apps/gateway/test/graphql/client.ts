import type { Gateway } from "@darkroom/testing/gateway";

/** A GraphQL response, loosely typed for assertions. */
export interface GraphQLResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
  data: any;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
  errors: any[] | undefined;
}

/** POST /graphql with a JSON body, the key in `X-API-Key` when given. */
export async function graphql(
  gateway: Gateway,
  apiKey: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await gateway.request("/graphql", {
    method: "POST",
    body: JSON.stringify({ query, variables }),
    headers: { "Content-Type": "application/json", ...headers },
    ...(apiKey ? { apiKey } : {}),
  });
  const body = (await response.json()) as { data?: unknown; errors?: GraphQLResponse["errors"] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/**
 * A GraphQL multipart request (operations, map, then the file as part `0`), as the spec and
 * `curl -F` send it, with Yoga's CSRF header unless `csrf` is false.
 */
export async function graphqlUpload(
  gateway: Gateway,
  apiKey: string,
  bytes: Buffer,
  options: { externalId?: string; filename?: string; query?: string; csrf?: boolean; csrfHeader?: string } = {},
): Promise<GraphQLResponse> {
  const form = new FormData();
  const query = options.query ?? UPLOAD_MUTATION;
  form.set(
    "operations",
    JSON.stringify({
      query,
      variables: { file: null, ...(options.externalId ? { externalId: options.externalId } : {}) },
    }),
  );
  form.set("map", JSON.stringify({ 0: ["variables.file"] }));
  form.set("0", new Blob([new Uint8Array(bytes)]), options.filename ?? "photo.jpg");
  const response = await gateway.request("/graphql", {
    method: "POST",
    body: form,
    apiKey,
    headers: options.csrf === false ? {} : { [options.csrfHeader ?? "x-graphql-yoga-csrf"]: "1" },
  });
  const body = (await response.json()) as { data?: unknown; errors?: GraphQLResponse["errors"] };
  return { status: response.status, data: body.data, errors: body.errors };
}

export const MEDIA_FIELDS = `
  id databaseId externalId size contentType optimization optimizationError blurhash width height originalUrl
  fileName capturedAt createdAt
  variants { url variantSize size width height }
`;

/** The fields of every error a mutation's union may hold (every mutation may answer a ValidationError). */
export const ERROR_FIELDS = `
  __typename
  ... on Error { message code }
  ... on ValidationError { problems }
`;

export const UPLOAD_MUTATION = `
  mutation Upload($file: File!, $externalId: String) {
    uploadMedia(file: $file, externalId: $externalId) {
      ${ERROR_FIELDS}
      ... on ExternalIdAlreadyLinkedError { mediaId }
      ... on UploadMediaSuccess { created media { ${MEDIA_FIELDS} } }
    }
  }
`;

/** A subscription over Server-Sent Events: `next()` waits for the next `next` event's payload. */
export async function subscribe(
  gateway: Gateway,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const controller = new AbortController();
  const response = await gateway.request("/graphql", {
    method: "POST",
    apiKey,
    signal: controller.signal,
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.body) throw new Error("no event stream");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let completed = false;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions inspect arbitrary JSON
  const next = async (timeoutMs = 10_000): Promise<any> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(event)?.[1];
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (type === "complete") {
          completed = true;
          return undefined;
        }
        if (type === "next" && data) return JSON.parse(data);
        continue; // a keep-alive comment
      }
      if (completed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), left)),
      ]);
      if (chunk === "timeout") continue;
      if (chunk.done) {
        completed = true;
        return undefined;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    next,
    close: () => controller.abort(),
  };
}

/**
 * Makes files look optimized, as the optimizer leaves them: `success`, a blurhash and three variants,
 * written in one transaction (so the notification comes with the variants in place).
 */
export async function markOptimized(gateway: Gateway, ids: number[]) {
  if (ids.length === 0) return;
  await gateway.database.sql.begin(async (sql) => {
    const rows = await sql<{ id: number; storage_prefix: string }[]>`
      select id, storage_prefix from media where id in ${sql(ids)}`;
    const variants = rows.flatMap((row) =>
      [128, 512, 1024].map((box) => ({
        media_id: row.id,
        variant_size: String(box),
        key: `${row.storage_prefix}/g1/${box}.webp`,
        size: box * 10,
        width: box,
        height: (box * 3) / 4,
      })),
    );
    await sql`insert into media_variants ${sql(variants)}`;
    await sql`
      update media set optimization = 'success', blurhash = 'LEHV6nWB2yk8pyo0adR*.7kCMdnj', width = 1600, height = 1200
      where id in ${sql(ids)}`;
  });
}
