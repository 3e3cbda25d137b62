import { DEFAULT_TENANT } from "../core/types.js";
import type { TenantPurge } from "../storage/port.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";

/** Whole tenants: deleting one with everything it owns (an uninstalled integration). */
export class TenantOperations {
  constructor(private readonly deps: OperationsDeps) {}

  /**
   * Deletes the tenant's events, deliveries, attempts, destination states, sources, destinations,
   * routes, and deployment action runs with their reports in one transaction; its lanes and compiled transforms go with the topology change.
   */
  async purge(tenant: string): Promise<TenantPurge> {
    if (tenant === DEFAULT_TENANT)
      throw new OperationError(
        "invalid_request",
        "the default tenant holds the config file's items; it cannot be purged",
      );
    const counts = await this.deps.store.purgeTenant(tenant);
    await this.deps.topology.refresh();
    return counts;
  }
}
