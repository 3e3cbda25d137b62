/**
 * PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 5802, RFC 7677), the form the server keeps
 * in `pg_authid.rolpassword`. `CREATE ROLE … PASSWORD` is given the verifier, never the password: a
 * statement's text can reach the server's log (`log_statement`, an error's `STATEMENT:` line) and
 * `pg_stat_activity`, and a verifier there does not let anyone log in. Pure: node:crypto only.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

const derive = promisify(pbkdf2);

/** PostgreSQL's own count: fixed before version 16, the default of its `scram_iterations` since. */
export const SCRAM_ITERATIONS = 4096;

/** Printable ASCII: SASLprep leaves such a password as it is, so it need not be implemented here. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for `password` (printable ASCII). */
export async function scramVerifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): Promise<string> {
  if (!PRINTABLE_ASCII.test(password)) throw new TypeError("a SCRAM password here must be printable ASCII");
  const salted = await derive(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest("base64");
  const serverKey = createHmac("sha256", salted).update("Server Key").digest("base64");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey}:${serverKey}`;
}
