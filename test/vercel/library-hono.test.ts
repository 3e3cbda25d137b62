import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type VercelWebhookEnv, vercelWebhookMiddleware } from "../../src/vercel/hono.js";
import { signVercelBody } from "../../src/vercel/node.js";
import { signed, signedSample } from "../support/vercel-webhook.js";

const SECRET = "whsec_current";

/** A real Hono app: the middleware on /vercel, a handler that reads the typed event and the body again. */
function app(maxBytes?: number) {
  const hono = new Hono<VercelWebhookEnv>();
  hono.post(
    "/vercel",
    vercelWebhookMiddleware({ secret: ["whsec_next", SECRET], ...(maxBytes ? { maxBytes } : {}) }),
    async (c) => {
      const event = c.var.vercelEvent;
      const url = event.type === "deployment.error" ? event.payload.deployment.url : null;
      // The body is still readable after the middleware read it.
      const again = (await c.req.json()) as { id: string };
      return c.json({ type: event.type, id: event.id, url, again: again.id });
    },
  );
  hono.onError((error, c) => c.json({ code: "internal", message: error.message }, 500));
  return hono;
}

const post = (body: string, signature?: string): RequestInit => ({
  method: "POST",
  body,
  headers: {
    "content-type": "application/json",
    ...(signature === undefined ? {} : { "x-vercel-signature": signature }),
  },
});

/** The refusals every transport must give, as [request, status, code]. */
function refusals(): Array<[RequestInit, number, string]> {
  const { body } = signedSample("deployment.created", SECRET);
  const notJson = signed("{]", SECRET);
  const noId = signed(JSON.stringify({ type: "deployment.created" }), SECRET);
  return [
    [post(body, signVercelBody(body, "whsec_other")), 401, "invalid_signature"],
    [post(body), 401, "invalid_signature"],
    [post(body, "zz"), 401, "invalid_signature"],
    [post(notJson.body, notJson.signature), 400, "invalid_json"],
    [post(noId.body, noId.signature), 400, "invalid_event"],
  ];
}

describe("vercelWebhookMiddleware (Hono, app.request)", () => {
  it("puts the typed event in c.var.vercelEvent and leaves the body readable", async () => {
    for (const [type, secret] of [
      ["deployment.error", SECRET],
      ["domain.certificate.add", "whsec_next"],
      ["deployment-ready", SECRET],
    ] as const) {
      const { body, signature, event } = signedSample(type, secret);
      const response = await app().request("/vercel", post(body, signature));
      expect(response.status, type).toBe(200);
      const answer = (await response.json()) as {
        type: string;
        id: string;
        url: string | null;
        again: string;
      };
      expect(answer).toMatchObject({ type, id: event.id, again: event.id });
      if (type === "deployment.error") expect(answer.url).toMatch(/\.vercel\.app$/);
    }
  });

  it("answers refusals with their code's status and { code, message }, and the handler never runs", async () => {
    for (const [init, status, code] of refusals()) {
      const response = await app().request("/vercel", init);
      expect(response.status, code).toBe(status);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
    const { body, signature } = signedSample("deployment.created", SECRET);
    const large = await app(64).request("/vercel", post(body, signature));
    expect([large.status, ((await large.json()) as { code: string }).code]).toEqual([
      413,
      "payload_too_large",
    ]);
  });

  it("verifies a body an earlier middleware already read through c.req", async () => {
    const hono = new Hono<VercelWebhookEnv>();
    hono.use(async (c, next) => {
      await c.req.text();
      await next();
    });
    hono.post("/vercel", vercelWebhookMiddleware({ secret: SECRET }), (c) => c.text(c.var.vercelEvent.id));
    const { body, signature, event } = signedSample("project.created", SECRET);
    const response = await hono.request("/vercel", post(body, signature));
    expect([response.status, await response.text()]).toEqual([200, event.id]);
    const bad = await hono.request("/vercel", post(body, signVercelBody(body, "whsec_other")));
    expect(bad.status).toBe(401);
  });

  it("reads the secret from the context for each request, as a Worker reads its bindings", async () => {
    type Bindings = { Bindings: { VERCEL_WEBHOOK_SECRET: string } };
    const hono = new Hono<Bindings & VercelWebhookEnv>();
    hono.post(
      "/vercel",
      vercelWebhookMiddleware<Bindings>({ secret: (c) => c.env.VERCEL_WEBHOOK_SECRET }),
      (c) => c.text(c.var.vercelEvent.type),
    );
    const { body, signature } = signedSample("deployment.created", "whsec_bound");
    const ok = await hono.request("/vercel", post(body, signature), { VERCEL_WEBHOOK_SECRET: "whsec_bound" });
    expect([ok.status, await ok.text()]).toEqual([200, "deployment.created"]);
    const other = await hono.request("/vercel", post(body, signature), {
      VERCEL_WEBHOOK_SECRET: "whsec_other",
    });
    expect(other.status).toBe(401);
  });

  it("throws a missing secret to onError", async () => {
    const hono = new Hono();
    hono.post("/vercel", vercelWebhookMiddleware({ secret: undefined }), (c) => c.text("reached"));
    hono.onError((error, c) => c.text(error.constructor.name, 500));
    const { body, signature } = signedSample("project.created", SECRET);
    const response = await hono.request("/vercel", post(body, signature));
    expect([response.status, await response.text()]).toEqual([500, "TypeError"]);
  });
});

describe("vercelWebhookMiddleware (Hono on @hono/node-server, over a socket)", () => {
  let server: ReturnType<typeof serve>;
  let url: string;

  beforeAll(async () => {
    server = serve({ fetch: app(4096).fetch, port: 0, hostname: "127.0.0.1" });
    if (!server.listening) await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vercel`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("verifies signed samples and refuses the rest with the gateway's codes", async () => {
    const { body, signature, event } = signedSample("deployment.error", "whsec_next");
    const ok = await fetch(url, post(body, signature));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ type: "deployment.error", id: event.id, again: event.id });
    for (const [init, status, code] of refusals()) {
      const response = await fetch(url, init);
      expect(response.status, code).toBe(status);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
    const large = await fetch(url, post("x".repeat(5000), signVercelBody("x".repeat(5000), SECRET)));
    expect([large.status, ((await large.json()) as { code: string }).code]).toEqual([
      413,
      "payload_too_large",
    ]);
  });
});
