import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type VercelWebhookLocals, vercelWebhookMiddleware } from "../../src/vercel/express.js";
import { signVercelBody } from "../../src/vercel/node.js";
import { signed, signedSample } from "../support/vercel-webhook.js";

const SECRET = "whsec_current";

/** Answers with what the handler saw of the typed event. */
function handler(_req: Request, res: Response<unknown, VercelWebhookLocals>) {
  const event = res.locals.vercelEvent;
  const url = event.type === "deployment.error" ? event.payload.deployment.url : null;
  res.json({ type: event.type, id: event.id, url });
}

/** Errors that are not refusals (a missing secret, a body parsed before): 500 with their message. */
function errors(error: Error, _req: Request, res: Response, _next: NextFunction) {
  res.status(500).json({ code: "internal", message: error.message });
}

describe("vercelWebhookMiddleware (Express, over a socket)", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    const verify = vercelWebhookMiddleware({ secret: ["whsec_next", SECRET], maxBytes: 4096 });
    app.post("/vercel", verify, handler);
    // express.raw() first: the middleware verifies its Buffer.
    app.post("/raw", express.raw({ type: "*/*" }), verify, handler);
    // express.json() first: the signed bytes are gone, which is a mistake in the app, not the sender.
    app.post("/parsed", express.json(), verify, handler);
    app.post(
      "/unset",
      vercelWebhookMiddleware({ secret: process.env.SWITCHYARD_TEST_UNSET_SECRET }),
      handler,
    );
    app.use(errors);
    server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string, signature?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...(signature === undefined ? {} : { "x-vercel-signature": signature }),
      },
    });

  it("puts the typed event of every kind of sample in res.locals.vercelEvent, under any rotated secret", async () => {
    for (const [type, secret] of [
      ["deployment.error", SECRET],
      ["domain.certificate.add", "whsec_next"],
      ["deployment-ready", SECRET],
      ["integration-configuration.removed", SECRET],
    ] as const) {
      for (const path of ["/vercel", "/raw"]) {
        const { body, signature, event } = signedSample(type, secret);
        const response = await post(path, body, signature);
        expect(response.status, `${path} ${type}`).toBe(200);
        const answer = (await response.json()) as { type: string; id: string; url: string | null };
        expect(answer).toMatchObject({ type, id: event.id });
        if (type === "deployment.error") expect(answer.url).toMatch(/\.vercel\.app$/);
      }
    }
  });

  it("refuses bad, missing and retired signatures, non-JSON and non-events with the gateway's codes", async () => {
    const { body } = signedSample("deployment.created", SECRET);
    const notJson = signed("<xml/>", SECRET);
    const unknown = signed(JSON.stringify({ id: "evt_1", type: "deployment.teleported" }), SECRET);
    const cases: Array<[Promise<globalThis.Response>, number, string]> = [
      [post("/vercel", body, signVercelBody(body, "whsec_other")), 401, "invalid_signature"],
      [post("/vercel", body, signVercelBody(body, "whsec_retired")), 401, "invalid_signature"],
      [post("/vercel", body), 401, "invalid_signature"],
      [post("/raw", body, "f".repeat(40)), 401, "invalid_signature"],
      [post("/vercel", notJson.body, notJson.signature), 400, "invalid_json"],
      [post("/raw", unknown.body, unknown.signature), 400, "invalid_event"],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect(response.status, code).toBe(status);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
  });

  it("refuses a body over maxBytes with 413 and closes the connection", async () => {
    const text = "x".repeat(10_000);
    for (const path of ["/vercel", "/raw"]) {
      const response = await post(path, text, signVercelBody(text, SECRET));
      expect(response.headers.get("connection"), path).toBe("close");
      expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([
        413,
        "payload_too_large",
      ]);
    }
  });

  it("passes a body already parsed, or a missing secret, to the app's error handler", async () => {
    const { body, signature } = signedSample("deployment.created", SECRET);
    const parsed = await post("/parsed", body, signature);
    expect(parsed.status).toBe(500);
    expect(((await parsed.json()) as { message: string }).message).toMatch(/already parsed/);
    const unset = await post("/unset", body, signature);
    expect(unset.status).toBe(500);
    expect(((await unset.json()) as { message: string }).message).toMatch(/no Vercel webhook secret/);
  });
});
