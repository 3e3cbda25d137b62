import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signVercelBody, verifyVercelSignature } from "../../src/vercel/node.js";

const body = '{"type":"deployment.created","id":"evt_1","createdAt":1709827200000,"payload":{}}';
const secret = "whsec_current";

describe("signVercelBody", () => {
  it("is the hex HMAC-SHA1 of the raw bytes", () => {
    const expected = createHmac("sha1", secret).update(body).digest("hex");
    expect(signVercelBody(body, secret)).toBe(expected);
    expect(signVercelBody(new TextEncoder().encode(body), secret)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{40}$/);
  });

  it("signs non-ASCII strings as UTF-8", () => {
    const text = '{"name":"café ☕"}';
    expect(signVercelBody(text, secret)).toBe(signVercelBody(Buffer.from(text, "utf8"), secret));
  });
});

describe("verifyVercelSignature", () => {
  const header = signVercelBody(body, secret);

  it("accepts a valid signature", () => {
    expect(verifyVercelSignature(body, header, [secret])).toBe(true);
    expect(verifyVercelSignature(Buffer.from(body), header, [secret])).toBe(true);
  });

  it("accepts a signature made with any of several rotated secrets", () => {
    const secrets = ["whsec_old", "whsec_current", "whsec_next"];
    for (const s of secrets)
      expect(verifyVercelSignature(body, signVercelBody(body, s), secrets), s).toBe(true);
  });

  it("rejects a wrong secret or a changed body", () => {
    expect(verifyVercelSignature(body, header, ["whsec_other"])).toBe(false);
    expect(verifyVercelSignature(`${body} `, header, [secret])).toBe(false);
  });

  it("rejects a missing or empty header", () => {
    expect(verifyVercelSignature(body, undefined, [secret])).toBe(false);
    expect(verifyVercelSignature(body, null, [secret])).toBe(false);
    expect(verifyVercelSignature(body, "", [secret])).toBe(false);
  });

  it("rejects headers of the wrong length", () => {
    expect(verifyVercelSignature(body, header.slice(0, 39), [secret])).toBe(false);
    expect(verifyVercelSignature(body, `${header}0`, [secret])).toBe(false);
    expect(verifyVercelSignature(body, `${header}${header}`, [secret])).toBe(false);
    const sha256 = createHmac("sha256", secret).update(body).digest("hex");
    expect(verifyVercelSignature(body, sha256, [secret])).toBe(false);
  });

  it("accepts upper-case hex", () => {
    expect(verifyVercelSignature(body, header.toUpperCase(), [secret])).toBe(true);
  });

  it("rejects non-hex characters without throwing", () => {
    expect(verifyVercelSignature(body, `${header.slice(0, 39)}g`, [secret])).toBe(false);
    expect(verifyVercelSignature(body, `sha1=${header.slice(5)}`, [secret])).toBe(false);
    expect(verifyVercelSignature(body, ` ${header.slice(1)}`, [secret])).toBe(false);
    expect(verifyVercelSignature(body, "☕".repeat(40), [secret])).toBe(false);
  });

  it("rejects everything when no usable secret is configured", () => {
    expect(verifyVercelSignature(body, header, [])).toBe(false);
    expect(verifyVercelSignature(body, signVercelBody(body, ""), [""])).toBe(false);
  });

  it("never throws on malformed arguments", () => {
    const call = (...args: unknown[]) => (verifyVercelSignature as (...a: unknown[]) => boolean)(...args);
    expect(call(undefined, header, [secret])).toBe(false);
    expect(call(body, 42, [secret])).toBe(false);
    expect(call(body, header, undefined)).toBe(false);
    expect(call(body, header, [undefined, 7])).toBe(false);
  });
});
