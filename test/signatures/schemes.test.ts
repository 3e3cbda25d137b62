import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyHmac } from "../../src/signatures/hmac.js";
import { verifyStandardWebhook } from "../../src/signatures/standard-webhooks.js";

const body = Buffer.from('{"hello":"world"}');

describe("generic HMAC", () => {
  it.each(["sha1", "sha256", "sha512"] as const)(
    "verifies %s in hex and base64, with rotation",
    (algorithm) => {
      for (const encoding of ["hex", "base64"] as const) {
        const scheme = { algorithm, encoding, prefix: "v1=" };
        const sig = `v1=${createHmac(algorithm, "old").update(body).digest(encoding)}`;
        expect(verifyHmac(body, sig, ["new", "old"], scheme)).toBe(true);
        expect(verifyHmac(body, sig, ["new"], scheme)).toBe(false);
        expect(verifyHmac(body, sig.slice(3), ["old"], scheme)).toBe(false);
        expect(verifyHmac(body, `${sig}=`, ["old"], scheme)).toBe(false);
        expect(verifyHmac(body, undefined, ["old"], scheme)).toBe(false);
      }
    },
  );
});

describe("Standard Webhooks", () => {
  const secretA = `whsec_${Buffer.from("a".repeat(32)).toString("base64")}`;
  const secretB = `whsec_${Buffer.from("b".repeat(32)).toString("base64")}`;
  const now = 1_800_000_000_000;
  const timestamp = new Date(now);
  const sign = (secret: string) => new Webhook(secret).sign("msg_1", timestamp, body.toString());

  it("accepts a header with several signatures when any matches any secret", () => {
    const header = `${sign(secretB)} v1,${Buffer.alloc(32).toString("base64")}`;
    const headers = { id: "msg_1", timestamp: String(now / 1000), signature: header };
    expect(verifyStandardWebhook(body, headers, [secretA, secretB], now, 300_000)).toBe(true);
    expect(verifyStandardWebhook(body, headers, [secretA], now, 300_000)).toBe(false);
  });

  it("refuses timestamps outside the tolerance either way, and a changed id", () => {
    const headers = { id: "msg_1", timestamp: String(now / 1000), signature: sign(secretA) };
    expect(verifyStandardWebhook(body, headers, [secretA], now + 301_000, 300_000)).toBe(false);
    expect(verifyStandardWebhook(body, headers, [secretA], now - 301_000, 300_000)).toBe(false);
    expect(verifyStandardWebhook(body, { ...headers, id: "msg_2" }, [secretA], now, 300_000)).toBe(false);
    expect(verifyStandardWebhook(body, { ...headers, timestamp: "soon" }, [secretA], now, 300_000)).toBe(
      false,
    );
  });
});
