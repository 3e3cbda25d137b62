/**
 * Event bodies on PostgreSQL. A body that decodes as UTF-8 without loss goes in `body_text`, any
 * other in `body` (bytea); reads put the bytes back together. postgres.js sends parameters and
 * reads results as text, where bytea costs two hex digits a byte; text is the bytes themselves.
 */

/**
 * The two body columns of a row, as they are written. The body goes as text (with `textBodies`,
 * the database being UTF-8) when text gives back exactly its bytes: not when it is invalid UTF-8
 * (the decoder would replace a byte with U+FFFD, so a body holding U+FFFD itself also stays
 * binary) nor when it holds NUL, which PostgreSQL text cannot.
 */
export function bodyColumns(
  body: Uint8Array,
  textBodies: boolean,
): { body: Uint8Array | null; body_text: string | null } {
  if (!textBodies) return { body, body_text: null };
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  return text.includes("\uFFFD") || text.includes("\0")
    ? { body, body_text: null }
    : { body: null, body_text: text };
}

/** The bytes of a body read back from either column. */
export function bodyBytes(row: { body: Buffer | null; body_text: string | null }): Buffer {
  if (row.body !== null) return row.body;
  return Buffer.from(row.body_text ?? "", "utf8");
}
