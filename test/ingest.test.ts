import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventCatalog, sampleEvent } from "../src/vercel/index.js";
import { ADMIN_TOKEN, api, startTestApp, type TestApp, VERCEL_SECRETS } from "./support/app.js";
import { post, sendVercel, vercelSignature } from "./support/send.js";

const [CURRENT, PREVIOUS] = VERCEL_SECRETS as [string, string];
const WHSEC = `whsec_${Buffer.from("standard-webhooks-test-key-32byt").toString("base64")}`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    limits: { maxBodyBytes: 4096 },
    sources: [
      { slug: "vercel", kind: "vercel", secrets: VERCEL_SECRETS },
      {
        slug: "partner",
        kind: "hmac",
        header: "X-Signature",
        algorithm: "sha256",
        encoding: "hex",
        prefix: "sha256=",
        secrets: ["partner-secret"],
      },
      { slug: "svix-style", kind: "standard-webhooks", secrets: [WHSEC] },
      { slug: "open", kind: "vercel", insecure: true },
    ],
  });
});
afterAll(() => app.stop());

describe("signatures", () => {
  it("accepts the current and the previous secret", async () => {
    for (const secret of [CURRENT, PREVIOUS]) {
      const res = await sendVercel(app.url, sampleEvent("deployment.created"), secret);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, duplicate: false });
      expect(res.body.eventId).toMatch(/^evt_/);
    }
  });

  it("accepts upper-case hex", async () => {
    const body = JSON.stringify(sampleEvent("deployment.created"));
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT).toUpperCase(),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["a wrong secret", (body: string) => vercelSignature(body, "not-the-secret")],
    ["an empty header", () => ""],
    ["a short signature", (body: string) => vercelSignature(body, CURRENT).slice(0, 39)],
    ["a long signature", (body: string) => `${vercelSignature(body, CURRENT)}00`],
    ["non-hex characters", () => "z".repeat(40)],
    ["a signature of other bytes", (body: string) => vercelSignature(`${body} `, CURRENT)],
  ])("refuses %s with 401 invalid_signature", async (_name, sign) => {
    const body = JSON.stringify(sampleEvent("deployment.created"));
    const res = await post(`${app.url}/ingest/vercel`, body, { "x-vercel-signature": sign(body) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_signature");
  });

  it("refuses a missing header", async () => {
    const res = await post(`${app.url}/ingest/vercel`, JSON.stringify(sampleEvent("deployment.created")));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_signature");
  });

  it("verifies a generic HMAC source with a prefix", async () => {
    const { createHmac } = await import("node:crypto");
    const body = JSON.stringify({ id: "p-1", type: "order.paid" });
    const sig = `sha256=${createHmac("sha256", "partner-secret").update(body).digest("hex")}`;
    expect((await post(`${app.url}/ingest/partner`, body, { "x-signature": sig })).status).toBe(200);
    expect((await post(`${app.url}/ingest/partner`, body, { "x-signature": sig.slice(7) })).status).toBe(401);
  });

  it("verifies a Standard Webhooks source, signed by the standardwebhooks package", async () => {
    const body = JSON.stringify({ type: "thing.happened", data: {} });
    const wh = new Webhook(WHSEC);
    const now = new Date();
    const signature = wh.sign("msg_1", now, body);
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
    };
    const first = await post(`${app.url}/ingest/svix-style`, body, headers);
    expect(first.status).toBe(200);
    const again = await post(`${app.url}/ingest/svix-style`, body, headers);
    expect(again.body).toMatchObject({ duplicate: true, eventId: first.body.eventId });
    const stale = new Date(now.getTime() - 6 * 60_000);
    const old = await post(`${app.url}/ingest/svix-style`, body, {
      "webhook-id": "msg_2",
      "webhook-timestamp": String(Math.floor(stale.getTime() / 1000)),
      "webhook-signature": wh.sign("msg_2", stale, body),
    });
    expect(old.status).toBe(401);
  });

  it("lets an insecure source accept unsigned events", async () => {
    const res = await post(`${app.url}/ingest/open`, JSON.stringify(sampleEvent("project.created")));
    expect(res.status).toBe(200);
  });
});

describe("the catalog through ingest", () => {
  it("stores every catalog sample, known and without schema issues", async () => {
    for (const entry of eventCatalog) {
      for (const name of [entry.type, ...entry.aliases]) {
        const res = await sendVercel(app.url, sampleEvent(name), CURRENT);
        expect(res.status, name).toBe(200);
        const stored = await api(app, `/api/v1/events/${res.body.eventId as string}`);
        expect(stored.body, name).toMatchObject({
          type: entry.type,
          originalType: name,
          unknownType: false,
          schemaIssues: [],
        });
      }
    }
  });

  it("normalises both spellings and keeps the original", async () => {
    const dotted = await sendVercel(app.url, sampleEvent("domain.certificate.add"), CURRENT);
    const hyphen = await sendVercel(app.url, sampleEvent("domain.certificate-add"), CURRENT);
    const a = await api(app, `/api/v1/events/${dotted.body.eventId as string}`);
    const b = await api(app, `/api/v1/events/${hyphen.body.eventId as string}`);
    expect(a.body.type).toBe(b.body.type);
    expect(a.body.originalType).toBe("domain.certificate.add");
    expect(b.body.originalType).toBe("domain.certificate-add");
  });

  it("stores an unknown type, flagged", async () => {
    const res = await sendVercel(
      app.url,
      { id: "evt_unknown_1", type: "brand-new.thing", createdAt: Date.now(), payload: {} },
      CURRENT,
    );
    expect(res.status).toBe(200);
    const stored = await api(app, `/api/v1/events/${res.body.eventId as string}`);
    expect(stored.body).toMatchObject({ type: "brand-new.thing", unknownType: true });
  });

  it("stores a known type whose payload does not match, with its issues", async () => {
    const event = sampleEvent("deployment.created") as { payload: Record<string, unknown> };
    delete event.payload.deployment;
    const res = await sendVercel(app.url, event, CURRENT);
    expect(res.status).toBe(200);
    const stored = await api(app, `/api/v1/events/${res.body.eventId as string}`);
    expect(stored.body.unknownType).toBe(false);
    expect((stored.body.schemaIssues as string[]).join("\n")).toContain("payload.deployment");
  });
});

describe("duplicates", () => {
  it("answers a repeat with the first event's id and stores it once", async () => {
    const event = sampleEvent("deployment.succeeded");
    const first = await sendVercel(app.url, event, CURRENT);
    const second = await sendVercel(app.url, event, PREVIOUS);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ok: true, eventId: first.body.eventId, duplicate: true });
  });

  it("keeps an id holding half a surrogate pair as U+FFFD, and dedupes its repeat", async () => {
    // JSON may escape a lone surrogate, which JSON.parse keeps and no database can store.
    const body = JSON.stringify(sampleEvent("deployment.canceled")).replace(
      /"id":"[^"]*"/,
      '"id":"evt_\\ud800x"',
    );
    const first = await sendVercel(app.url, body, CURRENT);
    expect(first.status).toBe(200);
    const second = await sendVercel(app.url, body, CURRENT);
    expect(second.body).toEqual({ ok: true, eventId: first.body.eventId, duplicate: true });
    const stored = await api(app, `/api/v1/events/${first.body.eventId as string}`);
    expect(stored.body.externalId).toBe("evt_\uFFFDx");
  });

  it("stores concurrent repeats once", async () => {
    const event = sampleEvent("deployment.error") as { id: string };
    const results = await Promise.all(Array.from({ length: 20 }, () => sendVercel(app.url, event, CURRENT)));
    const ids = new Set(results.map((r) => r.body.eventId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    const list = await api(app, "/api/v1/events?type=deployment.error&limit=200");
    expect(
      (list.body.data as { externalId: string }[]).filter((e) => e.externalId === event.id),
    ).toHaveLength(1);
  });
});

describe("bad input", () => {
  it("answers 413 for a declared body over the cap, without reading it", async () => {
    const body = JSON.stringify({ ...sampleEvent("deployment.created"), pad: "x".repeat(5000) });
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  it("answers 413 for a streamed body that grows past the cap", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${app.url}/ingest/vercel`, {
      method: "POST",
      body: stream,
      headers: { "x-vercel-signature": "0".repeat(40) },
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe("payload_too_large");
  });

  it.each([
    ["not JSON", "{not json", 400, "invalid_json"],
    ["empty", "", 400, "invalid_json"],
    ["an array", "[1,2]", 400, "invalid_event"],
    ["a string", '"deployment.created"', 400, "invalid_event"],
    ["no id", JSON.stringify({ type: "deployment.created", payload: {} }), 400, "invalid_event"],
    ["a numeric type", JSON.stringify({ id: "x", type: 3, payload: {} }), 400, "invalid_event"],
  ])("refuses a body that is %s", async (_name, body, status, code) => {
    const res = await post(`${app.url}/ingest/vercel`, body, {
      "x-vercel-signature": vercelSignature(body, CURRENT),
    });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it("answers 404 unknown_source and 405 for other methods", async () => {
    const res = await sendVercel(app.url, sampleEvent("deployment.created"), CURRENT, "nope");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("unknown_source");
    const get = await fetch(`${app.url}/ingest/vercel`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(((await get.json()) as { code: string }).code).toBe("method_not_allowed");
  });
});

describe("stored bytes and the API", () => {
  it("keeps the raw body exactly as received", async () => {
    const event = sampleEvent("deployment.created") as Record<string, unknown>;
    const body = `{  "id": ${JSON.stringify(event.id)},\n"type":"deployment.created", "note":"caf\u00e9 \u2603",\t"payload": ${JSON.stringify(event.payload)}, "createdAt": 1}`;
    const res = await sendVercel(app.url, body, CURRENT);
    const stored = await app.store.forTenant("default").getEvent(res.body.eventId as string);
    expect(Buffer.from(stored?.body ?? []).equals(Buffer.from(body))).toBe(true);
  });

  it("needs the admin token", async () => {
    const res = await fetch(`${app.url}/api/v1/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
    const wrong = await fetch(`${app.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
  });

  it("pages newest first with a cursor and filters by source, type and since", async () => {
    const before = Date.now();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(
        `${app.url}/ingest/open`,
        JSON.stringify({ ...sampleEvent("project.removed"), id: `paging-${i}` }),
      );
      sent.push(res.body.eventId as string);
    }
    const first = await api(
      app,
      `/api/v1/events?source=open&type=project.removed&since=${new Date(before).toISOString()}&limit=2`,
    );
    const ids = (first.body.data as { id: string }[]).map((e) => e.id);
    expect(ids).toEqual([sent[4], sent[3]]);
    const second = await api(
      app,
      `/api/v1/events?source=open&type=project.removed&limit=2&cursor=${first.body.nextCursor as string}`,
    );
    expect((second.body.data as { id: string }[]).map((e) => e.id)).toEqual([sent[2], sent[1]]);
    const item = (first.body.data as Record<string, unknown>[])[0];
    expect(item).toMatchObject({
      source: "open",
      tenant: "default",
      type: "project.removed",
      externalId: "paging-4",
    });
    expect(new Date(item?.receivedAt as string).getTime()).toBeGreaterThanOrEqual(before);
  });

  it("rejects malformed query parameters with invalid_query", async () => {
    for (const q of ["limit=0", "limit=abc", "limit=201", "since=yesterday", "cursor=bogus"]) {
      const res = await api(app, `/api/v1/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.code, q).toBe("invalid_query");
    }
  });

  it("answers 404 for an unknown event id", async () => {
    const res = await api(app, "/api/v1/events/evt_nope");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("serves /healthz and /readyz without a token", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
