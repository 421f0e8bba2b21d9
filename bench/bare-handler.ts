/**
 * The baseline of `pnpm bench:gateway`: a bare node:http + postgres.js server that answers
 * GET /media/:id with the same row the gateway serves (one query, JSON, no auth, no framework).
 * Started as its own process: `tsx bench/bare-handler.ts <port> <databaseUrl>`.
 */
import { createServer } from "node:http";
import postgres from "postgres";

const [port, databaseUrl] = process.argv.slice(2);
const sql = postgres(databaseUrl as string, { max: 10 });

createServer(async (request, response) => {
  const id = Number(/^\/media\/(\d+)$/.exec(request.url ?? "")?.[1]);
  const [row] = id ? await sql`select * from media where id = ${id}` : [];
  if (!row) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(row));
}).listen(Number(port), "127.0.0.1", () => process.send?.("ready"));
