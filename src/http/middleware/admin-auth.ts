import type { MiddlewareHandler } from "hono";
import { secretsEqual } from "../../core/secrets.js";
import type { ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";

const BEARER = /^Bearer\s+(\S+)$/i;

/** Lets a request through only with `Authorization: Bearer <admin token>`, compared in constant time; else 401 `unauthorized`. */
export function adminAuth(adminToken: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match || !secretsEqual(match[1] as string, adminToken)) {
      throw new HttpError("unauthorized", "a valid admin token is required: Authorization: Bearer <token>", {
        "www-authenticate": 'Bearer realm="switchyard"',
      });
    }
    await next();
  };
}
