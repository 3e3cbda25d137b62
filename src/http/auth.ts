import type { IncomingMessage } from "node:http";
import { secretsEqual } from "../core/secrets.js";
import { HttpError } from "./errors.js";

/** Checks `Authorization: Bearer <admin token>` in constant time; throws 401 `unauthorized` otherwise. */
export function requireAdmin(req: IncomingMessage, adminToken: string): void {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !secretsEqual(match[1] as string, adminToken)) {
    throw new HttpError("unauthorized", "a valid admin token is required: Authorization: Bearer <token>", {
      "www-authenticate": 'Bearer realm="switchyard"',
    });
  }
}
