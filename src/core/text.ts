import { isUtf8 } from "node:buffer";

/**
 * What no store can keep as text: half a surrogate pair standing alone (JSON can carry "\ud800",
 * UTF-8 cannot) and NUL (JSON can carry "\u0000", PostgreSQL text cannot).
 */
const UNSTORABLE = /[\p{Surrogate}\0]/u;

/**
 * `text` as every store keeps it: each lone surrogate and each NUL replaced by U+FFFD (a lone
 * surrogate as encoding it to UTF-8 would). A sender's JSON may escape either; what Switchyard
 * keeps in memory (a dedupe key, a type) must equal what it stores, on SQLite and PostgreSQL alike.
 */
export function wellFormed(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return Buffer.from(text, "utf8").toString("utf8").replaceAll("\0", "\uFFFD");
}

/** How a stored body's text is to be read: as is, or as base64 of bytes that are not storable text. */
export type BodyEncoding = "utf8" | "base64";

/**
 * Bytes as storable text, losslessly: as UTF-8 when they are valid UTF-8 without NUL, otherwise
 * (a gzip body, a NUL, a character cut at a size cap) base64.
 */
export function storableBody(bytes: Uint8Array): { text: string; encoding: BodyEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer) && !buffer.includes(0)) return { text: buffer.toString("utf8"), encoding: "utf8" };
  return { text: buffer.toString("base64"), encoding: "base64" };
}
