import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseShallow } from "../../src/ingest/json-text.js";
import { ADMIN_TOKEN, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { post, sendVercel } from "../support/send.js";

const MIB = 1024 * 1024;
const PARTNER_SECRET = "partner-secret";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    limits: { maxBodyBytes: 8 * MIB },
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
afterEach(() => {
  vi.restoreAllMocks();
});

const arrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

function sendPartner(body: string) {
  const signature = createHmac("sha256", PARTNER_SECRET).update(body).digest("hex");
  return post(`${app.url}/ingest/partner`, body, { "x-signature": signature });
}

/** `GET /api/v1/events/:id` as text: parsing it here must not recurse either. */
async function fetchEvent(id: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${app.url}/api/v1/events/${id}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return { status: res.status, text: await res.text() };
}

/** Stored byte for byte, and served with the stored text as its payload, as valid JSON. */
async function expectServedAsStored(eventId: string, body: string) {
  const stored = await app.store.forTenant("default").getEvent(eventId);
  expect(Buffer.from(stored?.body ?? []).equals(Buffer.from(body))).toBe(true);
  const served = await fetchEvent(eventId);
  expect(served.status).toBe(200);
  expect(served.text.endsWith(`,"payload":${body}}`)).toBe(true);
  expect(parseShallow(served.text, 0)).not.toBeNull();
  // The fields beside the payload, read without building its deep part.
  return parseShallow(served.text, 2)?.value as Record<string, unknown>;
}

describe.each([100_000, 1_000_000])("a body nested %i levels deep", (depth) => {
  it.each([
    ["arrays", arrays],
    ["objects", objects],
  ])("of %s is stored and served on a source that takes any JSON", async (_name, make) => {
    const body = make(depth);
    const res = await sendPartner(body);
    expect(res.status).toBe(200);
    const served = await expectServedAsStored(res.body.eventId as string, body);
    expect(served).toMatchObject({ id: res.body.eventId, source: "partner", schemaIssues: [] });
  });

  it("as a Vercel event's payload is stored, classified and served", async () => {
    const body = `{"id":"deep-${depth}","type":"deployment.created","createdAt":1,"payload":${objects(depth)}}`;
    const res = await sendVercel(app.url, body, VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(200);
    const served = await expectServedAsStored(res.body.eventId as string, body);
    expect(served).toMatchObject({
      type: "deployment.created",
      externalId: `deep-${depth}`,
      unknownType: false,
    });
    // Its payload misses what the catalog expects: flagged for that, as any such event is.
    expect(served.schemaIssues).toContain("payload.deployment: expected object, received undefined");

    const replay = await fetch(`${app.url}/api/v1/events/${res.body.eventId as string}/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(replay.status).toBe(202);
  });
});

describe("a body JSON.parse cannot take (a parser that recurses runs out of stack)", () => {
  const deep = `{"id":"too-deep","type":"deployment.created","createdAt":1,"payload":{"target":"production","x":${arrays(100_000)}}}`;

  function parseThrowsOnDeepBodies() {
    const real = JSON.parse;
    vi.spyOn(JSON, "parse").mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === "string" && text.startsWith('{"id":"too-deep"')) {
        throw new RangeError("Maximum call stack size exceeded");
      }
      return real(text, reviver);
    });
  }

  it("is stored byte for byte, answered 200, classified on its shallow levels and flagged", async () => {
    parseThrowsOnDeepBodies();
    const res = await sendVercel(app.url, deep, VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(200);
    const served = await expectServedAsStored(res.body.eventId as string, deep);
    expect(served).toMatchObject({ type: "deployment.created", externalId: "too-deep", unknownType: false });
    expect(served.schemaIssues).toContain(
      "(root): nested too deeply to parse whole; classified and routed on its first 512 levels",
    );
    const again = await sendVercel(app.url, deep, VERCEL_SECRETS[0] as string);
    expect(again.body).toMatchObject({ duplicate: true, eventId: res.body.eventId });
  });

  it("is still refused when it is not JSON, or not signed", async () => {
    parseThrowsOnDeepBodies();
    const broken = `${deep.slice(0, -1)}]`;
    const res = await sendVercel(app.url, broken, VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_json");
    const unsigned = await post(`${app.url}/ingest/vercel`, deep, { "x-vercel-signature": "0".repeat(40) });
    expect(unsigned.status).toBe(401);
  });
});

describe("the shallow parser", () => {
  it("agrees with JSON.parse on what is JSON and what it means", () => {
    const valid = [
      "{}",
      "[]",
      "-0",
      "1.5e-3",
      '"caf\\u00e9\\n\\"x\\""',
      '"\\ud800"',
      ' { "a" : [ 1 , { "b" : null } ] , "c" : true , "a" : 2 } ',
      '{"__proto__":{"x":1}}',
    ];
    for (const text of valid) {
      const parsed = parseShallow(text, 64);
      expect(parsed?.value, text).toEqual(JSON.parse(text));
      expect(parsed?.truncated, text).toBe(false);
    }
    const proto = parseShallow('{"__proto__":{"x":1}}', 64)?.value as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    const invalid = [
      "",
      "{",
      "[1,]",
      '{"a"}',
      '{"a":}',
      "01",
      "1.",
      "-",
      '"\\x"',
      '"a',
      "nul",
      "[1 2]",
      "{} {}",
    ];
    for (const text of [...invalid, '"\u0001"', '{"a":1}}', "{1:2}"]) {
      expect(() => JSON.parse(text), text).toThrow(SyntaxError);
      expect(parseShallow(text, 64), text).toBeNull();
    }
  });

  it("builds the levels it keeps and leaves an empty container for each deeper one", () => {
    const parsed = parseShallow('{"id":"x","p":{"a":{"b":[1,[2]]},"c":[3]},"t":"y"}', 2);
    expect(parsed).toEqual({ value: { id: "x", p: { a: {}, c: [] }, t: "y" }, truncated: true });
  });
});
