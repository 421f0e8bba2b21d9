import type { FastifyInstance } from "fastify";
import { type DocumentedRoute, openApiDocument } from "../http/openapi.ts";

/** `GET /api/openapi.json` (OpenAPI 3.1 of every route) and `GET /api/docs` (a page that renders it). */
export async function docsRoutes(app: FastifyInstance, options: { routes: DocumentedRoute[]; publicUrl: string }) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get(
    "/api/openapi.json",
    {
      config: {
        doc: { summary: "This document", tag: "Documentation", public: true, responses: { 200: "OpenAPI 3.1" } },
      },
    },
    async () => {
      document ??= openApiDocument(options.routes, `${options.publicUrl}`);
      return document;
    },
  );
  app.get(
    "/api/docs",
    {
      config: {
        doc: { summary: "The API reference page", tag: "Documentation", public: true, responses: { 200: "HTML" } },
      },
    },
    async (_request, reply) => reply.type("text/html; charset=utf-8").send(DOCS_PAGE),
  );
}

/** A self-contained page (no external assets) that renders /api/openapi.json. */
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Darkroom API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:24px;color:#222}
h1{margin-top:0}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
.op{border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:8px 12px}
.m{display:inline-block;min-width:64px;font-weight:600;font-family:monospace}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.options{color:#666}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f6f6f6;padding:8px;overflow:auto}
details summary{cursor:pointer}.muted{color:#666}
</style></head>
<body><h1>Darkroom API</h1><p class="muted">Authenticate with <code>X-API-Key: &lt;key&gt;</code> or
<code>Authorization: ApiKey &lt;key&gt;</code>. Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
fetch("/api/openapi.json").then((r) => r.json()).then((doc) => {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) (byTag[op.tags[0]] ??= []).push({ path, method, op });
  document.getElementById("ops").innerHTML = Object.entries(byTag).map(([tag, ops]) =>
    "<h2>" + esc(tag) + "</h2>" + ops.map(({ path, method, op }) =>
      '<div class="op"><span class="m ' + method + '">' + method.toUpperCase() + "</span> <code>" + esc(path) +
      "</code> — " + esc(op.summary) + (op.security ? ' <span class="muted">(no key)</span>' : "") +
      "<details><summary>details</summary>" +
      (op.parameters.length ? "<p>Parameters</p><pre>" + esc(JSON.stringify(op.parameters, null, 2)) + "</pre>" : "") +
      (op.requestBody ? "<p>Body</p><pre>" + esc(JSON.stringify(op.requestBody.content, null, 2)) + "</pre>" : "") +
      "<p>Responses</p><ul>" + Object.entries(op.responses).map(([s, r]) => "<li><b>" + s + "</b> " + esc(r.description) + "</li>").join("") +
      "</ul></details></div>").join("")).join("");
});
</script></body></html>`;
