/**
 * The baseline of `pnpm bench:gateway`: a bare node:http + postgres.js server that answers
 * GET /media/:id?agency=<id> with the rows the gateway serves the file from: the statement of the
 * gateway's hot read (`HOT_READ_ONE`: the file of the agency and its variants, one prepared statement),
 * over a pool of the same size as the gateway's pool of point reads, sent back as JSON (no auth, no
 * framework, no URLs built, no REST object). Started as its own process:
 * `tsx bench/bare-handler.ts <port> <databaseUrl>`.
 */
import { createServer } from "node:http";
import { HOT_READ_ONE, READ_POOL_SIZE } from "@darkroom/db";
import postgres from "postgres";

const [port, databaseUrl] = process.argv.slice(2);
const sql = postgres(databaseUrl as string, { max: READ_POOL_SIZE });

createServer(async (request, response) => {
  const match = /^\/media\/(\d+)\?agency=(\d+)$/.exec(request.url ?? "");
  const [id, agencyId] = [Number(match?.[1]), Number(match?.[2])];
  const rows = id ? await sql.unsafe(HOT_READ_ONE, [id, agencyId], { prepare: true }) : [];
  const row = rows[0];
  if (!row) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(rows));
}).listen(Number(port), "127.0.0.1", () => process.send?.("ready"));
