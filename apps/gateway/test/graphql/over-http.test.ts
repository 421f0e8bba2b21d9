/**
 * The GraphQL over HTTP specification's reference audit (`serverAudits` of graphql-http) against the
 * real gateway. Every request carries an API key, and Yoga's CSRF header (which GET requests need),
 * as a client of ours must send them.
 */

import { type Gateway, startGateway } from "@darkroom/testing/gateway";
import { type AuditResult, serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSRF_HEADER } from "../../src/graphql/yoga.ts";

let gateway: Gateway;
let key: string;

beforeAll(async () => {
  gateway = await startGateway();
  key = (await gateway.createAgency("Audited")).apiKey;
});
afterAll(() => gateway?.close());

function clientFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-API-Key", key);
  headers.set(CSRF_HEADER, "1");
  return fetch(input, { ...init, headers });
}

async function audit(): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  for (const { fn } of serverAudits({ url: () => `${gateway.baseUrl}/graphql`, fetchFn: clientFetch })) {
    results.push(await fn());
  }
  return results;
}

describe("GraphQL over HTTP", () => {
  it("passes every audit of the reference, MUST, SHOULD and MAY, first run and compiled", async () => {
    // Twice: the second time, the audit's queries run compiled (their documents are known).
    for (const run of ["first", "again"]) {
      const results = await audit();
      expect(results.length).toBeGreaterThan(50);
      expect(results.filter((result) => result.name.startsWith("MUST")).length).toBeGreaterThan(10);
      const failed = results
        .filter((result) => result.status !== "ok")
        .map((result) => ({ run, id: result.id, name: result.name, reason: "reason" in result ? result.reason : "" }));
      expect(failed).toEqual([]);
    }
  });
});
