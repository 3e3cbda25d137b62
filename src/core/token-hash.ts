import { createHash } from "node:crypto";

/**
 * The SHA-256 of a bearer value (an OAuth state, a session id), as the store keys it: a copy of
 * the database then holds nothing a browser could present.
 */
export function tokenHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url");
}
