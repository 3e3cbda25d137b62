import { NextRequest } from "next/server.js";
import { describe, expect, it } from "vitest";
import type { VercelEventOf } from "../../src/vercel/index.js";
import { vercelWebhookHandler } from "../../src/vercel/next.js";
import { signVercelBody } from "../../src/vercel/node.js";
import { signed, signedSample } from "../support/vercel-webhook.js";

const SECRET = "whsec_current";

/** A real Next request, as the App Router hands it to a route handler. */
function nextRequest(body: string, signature?: string): NextRequest {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["x-vercel-signature"] = signature;
  return new NextRequest("http://localhost:3000/api/vercel", { method: "POST", body, headers });
}

describe("vercelWebhookHandler (Next.js App Router)", () => {
  it("hands each event to the function for its type, typed as that type, in either spelling", async () => {
    const seen: string[] = [];
    const POST = vercelWebhookHandler({
      secret: SECRET,
      on: {
        "deployment.error": async (event) => {
          // Compiles only because the event is typed as deployment.error.
          seen.push(`error ${event.payload.deployment.url}`);
        },
        "domain.certificate-add": (event: VercelEventOf<"domain.certificate-add">) => {
          seen.push(`certificate ${event.type}`);
        },
        "deployment-ready": (event) => {
          seen.push(`legacy ${event.webhookId.slice(0, 5)}`);
        },
      },
    });
    for (const type of [
      "deployment.error",
      "domain.certificate.add",
      "domain.certificate-add",
      "deployment-ready",
    ]) {
      const { body, signature } = signedSample(type, SECRET);
      const response = await POST(nextRequest(body, signature));
      expect([response.status, await response.json()], type).toEqual([200, { ok: true }]);
    }
    expect(seen).toEqual([
      expect.stringMatching(/^error .+\.vercel\.app$/),
      "certificate domain.certificate.add",
      "certificate domain.certificate-add",
      "legacy hook_",
    ]);
  });

  it("answers 200 to a verified event of a type it has no function for, and a function's own Response as it is", async () => {
    const POST = vercelWebhookHandler({
      secret: SECRET,
      on: { "project.created": () => new Response("made", { status: 202 }) },
    });
    const other = signedSample("deployment.created", SECRET);
    expect((await POST(nextRequest(other.body, other.signature))).status).toBe(200);
    const project = signedSample("project.created", SECRET);
    const answer = await POST(nextRequest(project.body, project.signature));
    expect([answer.status, await answer.text()]).toEqual([202, "made"]);
  });

  it("refuses bad signatures, missing ones, bodies that are not JSON or not known events, with the gateway's codes", async () => {
    let called = 0;
    const POST = vercelWebhookHandler({ secret: SECRET, on: { "deployment.created": () => void called++ } });
    const { body, signature } = signedSample("deployment.created", SECRET);
    const notJson = signed("not json", SECRET);
    const unknown = signed(
      JSON.stringify({ id: "evt_1", type: "deployment.teleported", payload: {} }),
      SECRET,
    );
    const cases: Array<[NextRequest, number, string]> = [
      [nextRequest(body, signVercelBody(body, "whsec_other")), 401, "invalid_signature"],
      [nextRequest(body, "0".repeat(40)), 401, "invalid_signature"],
      [nextRequest(body), 401, "invalid_signature"],
      [nextRequest(notJson.body, notJson.signature), 400, "invalid_json"],
      [nextRequest(unknown.body, unknown.signature), 400, "invalid_event"],
    ];
    for (const [request, status, code] of cases) {
      const response = await POST(request);
      expect(response.status, code).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
    const large = vercelWebhookHandler({ secret: SECRET, maxBytes: 64, on: {} });
    const tooLarge = await large(nextRequest(body, signature));
    expect([tooLarge.status, ((await tooLarge.json()) as { code: string }).code]).toEqual([
      413,
      "payload_too_large",
    ]);
    expect(called).toBe(0);
  });

  it("accepts any secret of a rotation list", async () => {
    const POST = vercelWebhookHandler({ secret: ["whsec_next", SECRET], on: {} });
    for (const secret of ["whsec_next", SECRET]) {
      const { body, signature } = signedSample("deployment.created", secret);
      expect((await POST(nextRequest(body, signature))).status).toBe(200);
    }
    const { body, signature } = signedSample("deployment.created", "whsec_retired");
    expect((await POST(nextRequest(body, signature))).status).toBe(401);
  });

  it("throws on a missing secret or a function's error, so that Next answers 500 and Vercel retries", async () => {
    const { body, signature } = signedSample("deployment.created", SECRET);
    // An unset environment variable at build time is fine; at request time it is an error.
    const unset = vercelWebhookHandler({ secret: process.env.SWITCHYARD_TEST_UNSET_SECRET, on: {} });
    await expect(unset(nextRequest(body, signature))).rejects.toThrow(TypeError);
    const failing = vercelWebhookHandler({
      secret: SECRET,
      on: {
        "deployment.created": () => {
          throw new Error("database down");
        },
      },
    });
    await expect(failing(nextRequest(body, signature))).rejects.toThrow("database down");
  });
});
