import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { jsonBodyOf, openRaw, statusOf } from "../support/raw-http.js";
import { post, vercelSignature } from "../support/send.js";

// Hostile ingest requests that were already refused (or taken) as they should be, kept so that
// they stay so. Requests Node's parser refuses (headers too large, a flood of headers, malformed
// HTTP) are in http-errors.test.ts.

const [CURRENT] = VERCEL_SECRETS as [string];
const PARTNER_SECRET = "partner-secret";
const CAP = 4096;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    limits: { maxBodyBytes: CAP },
    sources: [
      { slug: "vercel", kind: "vercel", secrets: VERCEL_SECRETS },
      {
        slug: "partner",
        kind: "hmac",
        header: "x-signature",
        algorithm: "sha256",
        secrets: [PARTNER_SECRET],
      },
    ],
  });
});
afterAll(() => app.stop());

const event = () => JSON.stringify({ ...sampleEvent("deployment.created"), id: `hostile-${Math.random()}` });
const sha256 = (body: string, secret: string) => createHmac("sha256", secret).update(body).digest("hex");

/** Sends raw bytes and resolves with what came back once the server closed the connection. */
async function exchange(request: string): Promise<string> {
  const c = await openRaw(app.url);
  c.socket.write(request);
  await c.closed;
  return c.received();
}

describe("signature variants on a vercel source (hex HMAC-SHA1 in x-vercel-signature)", () => {
  it.each([
    ["the signature in upper-case hex", (b: string) => vercelSignature(b, CURRENT).toUpperCase()],
    [
      "the signature in mixed-case hex",
      (b: string) =>
        vercelSignature(b, CURRENT).replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    ],
    [
      "spaces and a tab around the signature (HTTP trims them)",
      (b: string) => ` \t${vercelSignature(b, CURRENT)} `,
    ],
  ])("accepts %s", async (_name, sign) => {
    const body = event();
    const res = await post(`${app.url}/ingest/vercel`, body, { "x-vercel-signature": sign(body) });
    expect(res.status).toBe(200);
  });

  it.each([
    ["an empty signature", () => ""],
    ["a truncated signature (39 hex digits)", (b: string) => vercelSignature(b, CURRENT).slice(0, 39)],
    ["a truncated signature (38 hex digits)", (b: string) => vercelSignature(b, CURRENT).slice(0, 38)],
    ["a space inside the signature", (b: string) => vercelSignature(b, CURRENT).replace(/^(.{20})/, "$1 ")],
    ["a sha1= prefix", (b: string) => `sha1=${vercelSignature(b, CURRENT)}`],
    ["the other source's secret", (b: string) => vercelSignature(b, PARTNER_SECRET)],
    ["a valid signature over other bytes", (b: string) => vercelSignature(`${b}\n`, CURRENT)],
    ["a sha256 HMAC where sha1 is expected", (b: string) => sha256(b, CURRENT)],
    [
      "base64 of the right HMAC",
      (b: string) => Buffer.from(vercelSignature(b, CURRENT), "hex").toString("base64"),
    ],
  ])("refuses %s with 401 invalid_signature", async (_name, sign) => {
    const body = event();
    const res = await post(`${app.url}/ingest/vercel`, body, { "x-vercel-signature": sign(body) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_signature");
  });

  it("refuses a missing signature", async () => {
    const res = await post(`${app.url}/ingest/vercel`, event());
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_signature");
  });

  it.each([
    ["vercel", ""],
    ["partner", ""],
    ["vercel", "x-signature: 00\r\n"],
  ])(
    "answers a %s request without its signature header before any of its body is sent",
    async (slug, extra) => {
      const received = await exchange(
        `POST /ingest/${slug} HTTP/1.1\r\nhost: x\r\n${extra}content-length: ${CAP}\r\n\r\n`,
      );
      expect(statusOf(received)).toBe(401);
      expect(jsonBodyOf(received).code).toBe("invalid_signature");
      expect(received).toMatch(/\r\nconnection: close\r\n/i);
    },
  );

  it.each([
    ["a valid and a wrong one", (sig: string) => [sig, "0".repeat(40)]],
    ["a wrong and a valid one", (sig: string) => ["0".repeat(40), sig]],
    ["the valid one twice", (sig: string) => [sig, sig]],
  ])("refuses two signature headers, %s", async (_name, pair) => {
    const body = event();
    const [first, second] = pair(vercelSignature(body, CURRENT));
    const received = await exchange(
      `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-vercel-signature: ${first}\r\nx-vercel-signature: ${second}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    expect(statusOf(received)).toBe(401);
    expect(jsonBodyOf(received).code).toBe("invalid_signature");
  });

  it("refuses the vercel source's secret on another source, and takes that source's own", async () => {
    const body = event();
    const wrong = await post(`${app.url}/ingest/partner`, body, { "x-signature": sha256(body, CURRENT) });
    expect(wrong.status).toBe(401);
    const right = await post(`${app.url}/ingest/partner`, body, {
      "x-signature": sha256(body, PARTNER_SECRET),
    });
    expect(right.status).toBe(200);
  });
});

describe("size caps (limits.maxBodyBytes)", () => {
  /** A signed event padded to exactly `size` bytes. */
  function eventOfSize(size: number): string {
    const base = JSON.stringify({ ...sampleEvent("deployment.created"), id: `sized-${size}`, pad: "" });
    return base.replace('"pad":""', `"pad":"${"x".repeat(size - base.length)}"`);
  }

  it("takes a body exactly at the cap", async () => {
    const body = eventOfSize(CAP);
    expect(Buffer.byteLength(body)).toBe(CAP);
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(200);
  });

  it("refuses a body one byte over the cap with 413", async () => {
    const body = eventOfSize(CAP + 1);
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  it("answers a declared content-length over the cap with 413 before any of the body is sent", async () => {
    // Only the headers go: the answer comes without the server waiting for the body.
    const received = await exchange(
      `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\nx-vercel-signature: ${"0".repeat(40)}\r\ncontent-length: ${CAP + 1}\r\n\r\n`,
    );
    expect(statusOf(received)).toBe(413);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
  });

  it("answers a chunked body that grows past the cap, with no content-length, with 413", async () => {
    const chunk = "x".repeat(1024);
    const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const received = await exchange(
      `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\nx-vercel-signature: ${"0".repeat(40)}\r\ntransfer-encoding: chunked\r\n\r\n${chunks}`,
    );
    expect(statusOf(received)).toBe(413);
    expect(jsonBodyOf(received).code).toBe("payload_too_large");
  });
});

describe("methods, sources and bodies", () => {
  it.each(["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])(
    "answers %s with 405 and allow: POST",
    async (method) => {
      const res = await fetch(`${app.url}/ingest/vercel`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(((await res.json()) as { code: string }).code).toBe("method_not_allowed");
    },
  );

  it("answers HEAD with 405", async () => {
    expect((await fetch(`${app.url}/ingest/vercel`, { method: "HEAD" })).status).toBe(405);
  });

  it.each(["nope", "VERCEL", "vercel%00", "..%2Fvercel", "%F0%9F%92%A9"])(
    "answers an unknown source (%s) with 404 unknown_source",
    async (slug) => {
      const body = event();
      const res = await post(`${app.url}/ingest/${slug}`, body, {
        "x-vercel-signature": vercelSignature(body, CURRENT),
      });
      expect(res.status).toBe(404);
    },
  );

  it.each([
    ["not JSON", "{not json", "invalid_json"],
    ["empty", "", "invalid_json"],
    ["JSON with trailing bytes", '{"id":"a","type":"b"} x', "invalid_json"],
    [
      "a byte-order mark before the JSON",
      `\uFEFF${JSON.stringify(sampleEvent("deployment.created"))}`,
      "invalid_json",
    ],
    ["an array", "[1,2]", "invalid_event"],
    ["a string", '"deployment.created"', "invalid_event"],
    ["a number", "42", "invalid_event"],
    ["null", "null", "invalid_event"],
    ["an object without id", JSON.stringify({ type: "deployment.created" }), "invalid_event"],
    ["an object with an empty id", JSON.stringify({ id: "", type: "deployment.created" }), "invalid_event"],
    ["an object with a numeric type", JSON.stringify({ id: "x", type: 3 }), "invalid_event"],
  ])("refuses a signed body that is %s with 400", async (_name, body, code) => {
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
  });

  it("takes JSON that is not an object on a source of any JSON", async () => {
    for (const body of ["[1,2]", '"text"', "42", "null"]) {
      const res = await post(`${app.url}/ingest/partner`, body, {
        "x-signature": sha256(body, PARTNER_SECRET),
      });
      expect(res.status, body).toBe(200);
    }
  });

  it("stores a body with bytes that are not UTF-8 inside a string byte for byte", async () => {
    const text = JSON.stringify({ ...sampleEvent("deployment.created"), id: "not-utf8", note: "@@" });
    const body = Buffer.concat([
      Buffer.from(text.slice(0, text.indexOf("@@"))),
      Buffer.from([0xff, 0xc3]),
      Buffer.from(text.slice(text.indexOf("@@") + 2)),
    ]);
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(200);
    const stored = await app.store.forTenant("default").getEvent(res.body.eventId as string);
    expect(Buffer.from(stored?.body ?? []).equals(body)).toBe(true);
  });
});
