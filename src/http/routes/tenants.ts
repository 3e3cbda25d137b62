import { z } from "zod";
import { tenantName } from "../../core/tenant.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";
import { EXAMPLE_PURGE_COUNTS, purgeCountsSchema } from "./counts.js";
import { pathParam } from "./query.js";

/** `DELETE /api/v1/tenants/:tenant`, mounted at `/api/v1`: the tenant and everything it owns, gone in one transaction. */
export function tenantRoutes(api: ApiRoutes, { operations }: Pick<ApiDeps, "operations">): void {
  api.add(
    {
      method: "delete",
      path: "/tenants/:tenant",
      tag: "Tenants",
      summary: "Delete a tenant and everything it owns",
      description:
        "Events, deliveries, attempts, items and runs, in one transaction. `default` cannot be purged.",
      params: z.object({
        tenant: pathParam({ description: "The tenant's name.", examples: ["icfg_abc123"] }, (t) => {
          if (!tenantName.safeParse(t).success) throw new HttpError("not_found", "no tenant has that name");
          return t;
        }),
      }),
      responses: {
        200: {
          description: "What was deleted.",
          schema: z.strictObject({ tenant: z.string(), deleted: purgeCountsSchema }),
          example: { tenant: "icfg_abc123", deleted: EXAMPLE_PURGE_COUNTS },
        },
      },
      errors: ["not_found", "invalid_request"],
    },
    async (_c, { params }) =>
      jsonResponse(200, { tenant: params.tenant, deleted: await operations.tenants.purge(params.tenant) }),
  );
}
