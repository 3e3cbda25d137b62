import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/http/errors.js";
import {
  getEventType,
  isVercelWebhookError,
  signVercelPayload,
  type VercelEvent,
  VercelWebhookError,
  verifyVercelPayload,
  verifyVercelPayloadSignature,
  verifyVercelWebhook,
  WEBHOOK_ERROR_STATUS,
} from "../../src/vercel/index.js";
import { signVercelBody, verifyVercelRequest } from "../../src/vercel/node.js";
import { everySpelling, signed, signedSample, webhookRequest } from "../support/vercel-webhook.js";

const SECRET = "whsec_current";

/** The refusal a promise rejects with; fails the test if it resolves or rejects with anything else. */
async function refusal(promise: Promise<unknown>): Promise<VercelWebhookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VercelWebhookError);
  return error as VercelWebhookError;
}

describe("verifyVercelWebhook (Web Request)", () => {
  it("returns the typed event of every catalog type, in each of its spellings, legacy types included", async () => {
    const spellings = everySpelling();
    expect(spellings).toContain("deployment-ready");
    expect(spellings).toContain("domain.certificate.add");
    for (const type of spellings) {
      const { body, signature, event } = signedSample(type, SECRET);
      const verified = await verifyVercelWebhook(webhookRequest(body, signature), SECRET);
      expect(verified, type).toEqual(event);
      expect(verified.type).toBe(type);
    }
  });

  it("narrows the event by its type", async () => {
    const { body, signature } = signedSample("deployment.error", SECRET);
    const event: VercelEvent = await verifyVercelWebhook(webhookRequest(body, signature), SECRET);
    if (event.type !== "deployment.error") throw new Error(`unexpected ${event.type}`);
    // Compiles only because `type` narrowed the union to the deployment.error envelope.
    expect(event.payload.deployment.url).toMatch(/\.vercel\.app$/);
  });

  it("accepts a signature under any secret of a rotation list, and refuses one under none", async () => {
    const old = signedSample("project.created", "whsec_old");
    await expect(
      verifyVercelWebhook(webhookRequest(old.body, old.signature), ["whsec_new", "whsec_old"]),
    ).resolves.toEqual(old.event);
    const next = signedSample("project.created", "whsec_new");
    await expect(
      verifyVercelWebhook(webhookRequest(next.body, next.signature), ["whsec_new", "whsec_old"]),
    ).resolves.toEqual(next.event);
    const error = await refusal(verifyVercelWebhook(webhookRequest(old.body, old.signature), ["whsec_new"]));
    expect([error.code, error.status]).toEqual(["invalid_signature", 401]);
  });

  it("refuses a wrong secret, a changed body and malformed signatures with invalid_signature", async () => {
    const { body, signature } = signedSample("deployment.created", SECRET);
    const cases: Array<[string, string]> = [
      [body, signVercelBody(body, "whsec_other")],
      [`${body} `, signature],
      [body, signature.slice(0, 39)],
      [body, `${signature}00`],
      [body, `sha1=${signature}`],
      [body, `${signature.slice(0, 39)}g`],
    ];
    for (const [text, header] of cases) {
      const error = await refusal(verifyVercelWebhook(webhookRequest(text, header), SECRET));
      expect(error.toJSON()).toEqual({ code: "invalid_signature", message: "the signature does not match" });
    }
    // Upper-case hex is the same signature.
    await expect(
      verifyVercelWebhook(webhookRequest(body, signature.toUpperCase()), SECRET),
    ).resolves.toBeDefined();
  });

  it("refuses a request without the signature header before reading its body", async () => {
    const { body } = signedSample("deployment.created", SECRET);
    for (const header of [undefined, ""]) {
      const request = webhookRequest(body, header);
      const error = await refusal(verifyVercelWebhook(request, SECRET));
      expect(error.code).toBe("invalid_signature");
      expect(error.message).toBe("the x-vercel-signature header is missing");
      expect(request.bodyUsed).toBe(false);
    }
  });

  it("refuses a signed body that is not JSON with invalid_json", async () => {
    const { body, signature } = signed('{"id":"evt_1","type":', SECRET);
    const error = await refusal(verifyVercelWebhook(webhookRequest(body, signature), SECRET));
    expect([error.code, error.status]).toEqual(["invalid_json", 400]);
  });

  it("refuses a signed body that is not a known, well-formed event with invalid_event", async () => {
    const sample = signedSample("deployment.created", SECRET).event as Record<string, unknown>;
    const bodies: Array<[string, RegExp]> = [
      ["[1,2]", /not a JSON object/],
      ['"text"', /not a JSON object/],
      [JSON.stringify({ ...sample, id: 7 }), /string `id` and `type`/],
      [
        JSON.stringify({ ...sample, type: "deployment.teleported" }),
        /unknown event type "deployment.teleported"/,
      ],
      [
        JSON.stringify({ ...sample, payload: { deployment: 1 } }),
        /does not match the schema of deployment\.created/,
      ],
    ];
    for (const [text, message] of bodies) {
      const { body, signature } = signed(text, SECRET);
      const error = await refusal(verifyVercelWebhook(webhookRequest(body, signature), SECRET));
      expect([error.code, error.status]).toEqual(["invalid_event", 400]);
      expect(error.message).toMatch(message);
    }
    const { body, signature } = signed(JSON.stringify({ ...sample, payload: { deployment: 1 } }), SECRET);
    const error = await refusal(verifyVercelWebhook(webhookRequest(body, signature), SECRET));
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues.join("\n")).toContain("payload.deployment");
  });

  it("refuses a body over maxBytes with payload_too_large, by its length or as it streams", async () => {
    const { body, signature } = signedSample("deployment.created", SECRET);
    const max = body.length - 1;
    const declared = await refusal(
      verifyVercelWebhook(webhookRequest(body, signature), SECRET, { maxBytes: max }),
    );
    expect([declared.code, declared.status]).toEqual(["payload_too_large", 413]);

    // A stream has no content-length: the cap stops the read once passed, and the rest is never pulled.
    const bytes = new TextEncoder().encode(body);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(pulled, pulled + 64));
        pulled += 64;
      },
    });
    const streamed = await refusal(
      verifyVercelWebhook(webhookRequest(stream, signature), SECRET, { maxBytes: 100 }),
    );
    expect(streamed.code).toBe("payload_too_large");
    expect(pulled).toBeLessThan(bytes.length);
    // Exactly maxBytes is allowed.
    await expect(
      verifyVercelWebhook(webhookRequest(body, signature), SECRET, { maxBytes: body.length }),
    ).resolves.toBeDefined();
  });

  it("throws a TypeError, not a refusal, when no secret is usable or maxBytes is not a size", async () => {
    const { body, signature } = signedSample("deployment.created", SECRET);
    for (const secrets of ["", [], ["", ""], undefined]) {
      const error = await verifyVercelWebhook(webhookRequest(body, signature), secrets as string).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(isVercelWebhookError(error)).toBe(false);
    }
    const signedWithEmpty = signVercelBody(body, "");
    await expect(verifyVercelWebhook(webhookRequest(body, signedWithEmpty), ["", SECRET])).rejects.toThrow(
      "the signature does not match",
    );
    await expect(
      verifyVercelWebhook(webhookRequest(body, signature), SECRET, { maxBytes: 0 }),
    ).rejects.toThrow(TypeError);
  });
});

describe("verifyVercelPayload and the WebCrypto signature helpers", () => {
  it("sign as node:crypto does and verify raw bytes, strings and ArrayBuffers", async () => {
    const { body, signature, event } = signedSample("domain.created", SECRET);
    expect(await signVercelPayload(body, SECRET)).toBe(signature);
    expect(await signVercelPayload(new TextEncoder().encode("café ☕"), SECRET)).toBe(
      signVercelBody("café ☕", SECRET),
    );
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, bytes, bytes.buffer]) {
      expect(await verifyVercelPayloadSignature(raw, signature, [SECRET])).toBe(true);
      await expect(verifyVercelPayload(raw, signature, SECRET)).resolves.toEqual(event);
    }
    // A view into a larger buffer is only its own bytes.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    expect(
      await verifyVercelPayloadSignature(padded.subarray(4, 4 + bytes.length), signature, [SECRET]),
    ).toBe(true);
    expect(await verifyVercelPayloadSignature(body, signature, ["whsec_other"])).toBe(false);
    expect(await verifyVercelPayloadSignature(body, null, [SECRET])).toBe(false);
    expect(await verifyVercelPayloadSignature(body, "☕".repeat(40), [SECRET])).toBe(false);
  });

  it("refuses with the codes and statuses of the gateway's ingest", () => {
    for (const [code, status] of Object.entries(WEBHOOK_ERROR_STATUS)) {
      expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status, code).toBe(status);
      expect(new VercelWebhookError(code as keyof typeof WEBHOOK_ERROR_STATUS, "m").status).toBe(status);
    }
    const foreign = Object.assign(new Error("m"), { name: "VercelWebhookError", code: "invalid_json" });
    expect(isVercelWebhookError(foreign)).toBe(true);
    expect(
      isVercelWebhookError(Object.assign(new Error("m"), { name: "VercelWebhookError", code: "nope" })),
    ).toBe(false);
  });

  it("types an event by the catalog's canonical name whatever its spelling", async () => {
    const { body, signature } = signedSample("domain.certificate.add", SECRET);
    const event = await verifyVercelPayload(body, signature, SECRET);
    expect(getEventType(event.type)?.type).toBe("domain.certificate-add");
  });
});

describe("verifyVercelRequest (node:http, over a socket)", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const maxBytes = Number(req.headers["x-max-bytes"] ?? 1024 * 1024);
      verifyVercelRequest(req, ["whsec_new", SECRET], { maxBytes }).then(
        (event) => {
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ type: event.type, id: event.id }));
        },
        (error: unknown) => {
          if (!isVercelWebhookError(error)) {
            res.writeHead(500).end();
            return;
          }
          res.writeHead(error.status, { "content-type": "application/json", connection: "close" });
          res.end(JSON.stringify(error));
        },
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vercel`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

  it("returns the event of a signed request, and refuses as the Web variant does", async () => {
    const { body, signature, event } = signedSample("deployment.succeeded", SECRET);
    const ok = await post(body, { "x-vercel-signature": signature });
    expect(await ok.json()).toEqual({ type: "deployment.succeeded", id: event.id });

    const wrong = await post(body, { "x-vercel-signature": signVercelBody(body, "whsec_other") });
    expect([wrong.status, await wrong.json()]).toEqual([
      401,
      { code: "invalid_signature", message: "the signature does not match" },
    ]);
    const missing = await post(body, {});
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([
      401,
      "invalid_signature",
    ]);
    const notJson = signed("{", SECRET);
    const bad = await post(notJson.body, { "x-vercel-signature": notJson.signature });
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, "invalid_json"]);
    const large = await post(body, { "x-vercel-signature": signature, "x-max-bytes": "100" });
    expect([large.status, ((await large.json()) as { code: string }).code]).toEqual([
      413,
      "payload_too_large",
    ]);
  });
});
