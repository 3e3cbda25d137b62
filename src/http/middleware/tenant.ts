import type { MiddlewareHandler } from "hono";
import { tenantName } from "../../core/tenant.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import type { ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";

/** The tenant a management request acts for: `?tenant=`, `default` when absent; a malformed one is 400 `invalid_query`. */
export function tenantParam(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const given = c.req.query("tenant");
    if (given !== undefined && !tenantName.safeParse(given).success) {
      throw new HttpError(
        "invalid_query",
        "tenant: letters, digits, '_', '-', '.' or ':', at most 128 characters",
      );
    }
    c.set("tenant", given ?? DEFAULT_TENANT);
    await next();
  };
}
