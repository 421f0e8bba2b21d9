/**
 * The baseline of `pnpm bench:gateway`: a bare node:http + postgres.js server that answers
 * GET /media/:id?agency=<id> with the rows the gateway serves the file from: the statement of the
 * gateway's hot read (the file of the agency and its variants, one prepared statement) for one id,
 * over a pool of the same size as the gateway's pool of point reads, sent back as JSON (no auth, no
 * framework, no URLs built, no REST object). Started as its own process:
 * `tsx bench/bare-handler.ts <port> <databaseUrl>`.
 */
import { createServer } from "node:http";
import { READ_POOL_SIZE } from "@darkroom/db";
import postgres from "postgres";

const [port, databaseUrl] = process.argv.slice(2);
const sql = postgres(databaseUrl as string, { max: READ_POOL_SIZE });

createServer(async (request, response) => {
  const match = /^\/media\/(\d+)\?agency=(\d+)$/.exec(request.url ?? "");
  const [id, agencyId] = [Number(match?.[1]), Number(match?.[2])];
  const rows = id
    ? await sql`
        select m.id, m.external_id, m.size, m.content_type, m.optimization, m.optimization_error, m.blurhash,
          m.width, m.height, m.created_at, m.original_key, v.variant_size, v.key as variant_key,
          v.size as variant_bytes, v.width as variant_width, v.height as variant_height
        from media m
        left join media_variants v on v.media_id = m.id and m.optimization = 'success'
        where m.id = ${id} and m.agency_id = ${agencyId}`
    : [];
  const row = rows[0];
  if (!row) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(rows));
}).listen(Number(port), "127.0.0.1", () => process.send?.("ready"));
