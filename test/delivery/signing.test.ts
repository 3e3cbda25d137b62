import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signStandardWebhooks, signVercel } from "../../src/delivery/signing.js";

const body = new TextEncoder().encode(JSON.stringify({ type: "deployment.succeeded", payload: { ü: "✓" } }));
const whsec = () => `whsec_${randomBytes(32).toString("base64")}`;

describe("signStandardWebhooks", () => {
  it("produces headers the standardwebhooks library verifies under each of two secrets", () => {
    const [current, previous] = [whsec(), whsec()];
    // The reference library checks the timestamp against the real clock, so sign with it.
    const headers = signStandardWebhooks(
      [current, previous],
      "msg_01J0TEST",
      Math.floor(Date.now() / 1000),
      body,
    );
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(() => new Webhook(secret).verify(Buffer.from(body), headers)).not.toThrow();
    }
    expect(() => new Webhook(whsec()).verify(Buffer.from(body), headers)).toThrow();
    expect(() => new Webhook(current).verify(Buffer.from(`${Buffer.from(body)} `), headers)).toThrow();
  });

  it("matches the library's own signature byte for byte", () => {
    const secret = whsec();
    const headers = signStandardWebhooks([secret], "msg_1", 1_700_000_000, body);
    expect(headers).toEqual({
      "webhook-id": "msg_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": new Webhook(secret).sign("msg_1", new Date(1_700_000_000_000), Buffer.from(body)),
    });
  });

  it("refuses to sign with no secret or a fractional timestamp", () => {
    expect(() => signStandardWebhooks([], "msg_1", 1_700_000_000, body)).toThrow(RangeError);
    expect(() => signStandardWebhooks([whsec()], "msg_1", 1_700_000_000.5, body)).toThrow(RangeError);
  });
});

describe("signVercel", () => {
  const expected = (secret: string) => createHmac("sha1", secret).update(body).digest("hex");

  it("signs the raw body with hex HMAC-SHA1, recomputed independently", () => {
    expect(signVercel("integration-secret", body)).toEqual({
      "x-vercel-signature": expected("integration-secret"),
    });
  });

  it("signs with the first of several secrets", () => {
    expect(signVercel(["new-secret", "old-secret"], body)).toEqual({
      "x-vercel-signature": expected("new-secret"),
    });
  });

  it("refuses an empty secret", () => {
    expect(() => signVercel("", body)).toThrow(RangeError);
    expect(() => signVercel([], body)).toThrow(RangeError);
  });
});
