import { describe, expect, it } from "vitest";
import { SecretBox, SecretBoxError } from "../../src/core/secret-box.js";

describe("SecretBox", () => {
  const box = SecretBox.fromText(SecretBox.generateText());

  it("opens what it sealed, for the same context", () => {
    const sealed = box.seal("whsec_c2VjcmV0", "icfg_a/destination/hook");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("whsec");
    expect(box.open(sealed, "icfg_a/destination/hook")).toBe("whsec_c2VjcmV0");
  });

  it("seals the same secret differently each time", () => {
    expect(box.seal("s", "c")).not.toBe(box.seal("s", "c"));
  });

  it("refuses a sealed value moved to another context, altered, or sealed with another key", () => {
    const sealed = box.seal("secret", "icfg_a/source/vercel");
    expect(() => box.open(sealed, "icfg_b/source/vercel")).toThrow(SecretBoxError);
    // One character of the ciphertext changed (never to itself), the last one's unused bits aside.
    const at = sealed.length - 2;
    const altered = `${sealed.slice(0, at)}${sealed[at] === "A" ? "B" : "A"}${sealed.slice(at + 1)}`;
    expect(altered).not.toBe(sealed);
    expect(() => box.open(altered, "icfg_a/source/vercel")).toThrow(SecretBoxError);
    const other = SecretBox.fromText(SecretBox.generateText());
    expect(() => other.open(sealed, "icfg_a/source/vercel")).toThrow(SecretBoxError);
    expect(other.fingerprint()).not.toBe(box.fingerprint());
    expect(() => box.open("plain text", "c")).toThrow(SecretBoxError);
  });

  it("takes a key only of 32 bytes", () => {
    expect(() => SecretBox.fromText("c2hvcnQ=")).toThrow(/32 bytes/);
    expect(SecretBox.fromText(Buffer.alloc(32, 7).toString("base64url")).fingerprint()).toHaveLength(16);
  });
});
