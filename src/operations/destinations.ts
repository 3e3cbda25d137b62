import type { DestinationState } from "../core/delivery-types.js";
import { initialDestinationState } from "../core/destination-state.js";
import type { OperationsDeps } from "./context.js";
import type { ItemView, TopologyItems } from "./topology-items.js";

/** A destination with how it is doing: its stored state and its pending deliveries. */
export interface DestinationStatus {
  item: ItemView<"destinations">;
  state: DestinationState;
  pending: number;
}

/** A tenant's destinations with their health, and turning them on and off. */
export class DestinationHealth {
  constructor(
    private readonly deps: OperationsDeps,
    private readonly items: TopologyItems<"destinations">,
  ) {}

  /** Every destination of the tenant, or the one named, with state and pending count. */
  async list(tenant: string, slug?: string): Promise<DestinationStatus[]> {
    const items = slug === undefined ? await this.items.list(tenant) : [await this.items.get(tenant, slug)];
    const view = this.deps.store.forTenant(tenant);
    const [states, pending] = await Promise.all([view.listDestinationStates(), view.pendingByDestination()]);
    return items.map((item) => ({
      item,
      state:
        states.find((s) => s.destination === item.config.slug) ??
        initialDestinationState(tenant, item.config.slug),
      pending: pending[item.config.slug] ?? 0,
    }));
  }

  /**
   * Enables a destination (closing its circuit and forgetting its failures) or disables it (its
   * deliveries wait, nothing is sent); the worker takes the new state at once.
   */
  async setEnabled(tenant: string, slug: string, enabled: boolean): Promise<DestinationStatus> {
    const [current] = await this.list(tenant, slug);
    const state = (current as DestinationStatus).state;
    const next: DestinationState = enabled
      ? {
          ...state,
          state: "active",
          disabledReason: null,
          consecutiveFailures: 0,
          circuitOpenUntil: null,
          circuitCooldownMs: 0,
        }
      : { ...state, state: "disabled", disabledReason: "disabled through the API" };
    await this.deps.store.forTenant(tenant).saveDestinationState(next);
    await this.deps.delivery.reloadStates();
    return (await this.list(tenant, slug))[0] as DestinationStatus;
  }
}
