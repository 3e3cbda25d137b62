import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { ApiEnv } from "../api-env.js";

/** The header a request id comes in and goes back out in. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Ids a proxy or a caller may set: short, and nothing that could forge a log line or a header. */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id: the caller's `x-request-id` when it is sane, else a new UUID. The id
 * goes back in the answer's `x-request-id` (errors' too) and into a child of `logger`, which
 * handlers find as `c.var.logger`.
 */
export function requestId(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const id = given !== undefined && SANE.test(given) ? given : randomUUID();
    c.set("requestId", id);
    c.set("logger", logger.child({ requestId: id }));
    await next();
    c.res.headers.set(REQUEST_ID_HEADER, id);
  };
}
