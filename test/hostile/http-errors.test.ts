import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { jsonBodyOf, metricValue, openRaw, statusOf } from "../support/raw-http.js";
import { vercelSignature } from "../support/send.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** Sends `request` as raw bytes and resolves with what came back once the server closed. */
async function exchange(request: string): Promise<string> {
  const c = await openRaw(app.url);
  c.socket.write(request);
  await c.closed;
  return c.received();
}

describe("requests Node's parser refuses", () => {
  it("answers headers over 16 KiB with 431 headers_too_large, and closes", async () => {
    const received = await exchange(
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(statusOf(received)).toBe(431);
    expect(jsonBodyOf(received)).toMatchObject({ code: "headers_too_large" });
    expect(received).toMatch(/\r\nconnection: close\r\n/);
  });

  it("answers a huge number of small headers with 431", async () => {
    const headers = Array.from({ length: 5_000 }, (_, i) => `x-${i}: v\r\n`).join("");
    const received = await exchange(`POST /ingest/vercel HTTP/1.1\r\nhost: x\r\n${headers}\r\n`);
    expect(statusOf(received)).toBe(431);
  });

  it("still reads a signed event sent with many headers under the limit", async () => {
    const body = JSON.stringify(sampleEvent("deployment.created"));
    // Node 22's parser refuses more than 1,000 headers (431) where Node 20 keeps the first 1,000:
    // 990 and the request's own four are under both.
    const many = Array.from({ length: 990 }, (_, i) => `x-${i}: v\r\n`).join("");
    const received = await exchange(
      `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-vercel-signature: ${vercelSignature(body, VERCEL_SECRETS[0] as string)}\r\n${many}content-length: ${body.length}\r\n\r\n${body}`,
    );
    expect(statusOf(received)).toBe(200);
  });

  it.each([
    ["a malformed request line", "GARBAGE\r\n\r\n"],
    ["a header without a colon", "GET /healthz HTTP/1.1\r\nhost: x\r\nnot a header\r\n\r\n"],
    [
      "two content-lengths that differ",
      "POST /ingest/vercel HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab",
    ],
    [
      "a bad chunk size",
      "POST /ingest/vercel HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    ],
    ["an HTTP/1.1 request without host", "GET /healthz HTTP/1.1\r\n\r\n"],
  ])("answers %s with 400 bad_request, and closes", async (_name, request) => {
    const received = await exchange(request);
    expect(statusOf(received)).toBe(400);
    expect(jsonBodyOf(received)).toMatchObject({ code: "bad_request" });
  });

  it("counts what it refused by code", async () => {
    expect(await metricValue(app.url, 'switchyard_http_client_errors_total{code="headers_too_large"}')).toBe(
      2,
    );
    expect(await metricValue(app.url, 'switchyard_http_client_errors_total{code="bad_request"}')).toBe(5);
  });
});
