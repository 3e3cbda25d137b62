import { circuitStatus } from "../core/circuit-breaker.js";
import type { DestinationState } from "../core/delivery-types.js";
import { circuitOf, initialDestinationState } from "../core/destination-state.js";
import type { OperationsDeps } from "./context.js";
import { NO_RECENT_ATTEMPTS, type RecentHealth, recentHealthBy } from "./destination-stats.js";
import { OperationError } from "./errors.js";
import { type ItemView, newSigningSecret, type TopologyItems } from "./topology-items.js";

/** A destination with how it is doing: its stored state and its pending deliveries. */
export interface DestinationStatus {
  item: ItemView<"destinations">;
  state: DestinationState;
  pending: number;
}

/** A destination's status with its circuit now and how its attempts of the last hour went. */
export interface DestinationOverview extends DestinationStatus {
  circuit: ReturnType<typeof circuitStatus>;
  recent: RecentHealth;
}

/** The window a destination's recent health covers. */
export const RECENT_WINDOW_MS = 60 * 60_000;
/**
 * At most this many of a tenant's newest attempts in the window are read: a bound on the page's
 * cost under heavy traffic, where the newest ones tell the health well enough.
 */
export const RECENT_ATTEMPTS_READ = 10_000;

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
   * Every destination of the tenant, or the one named, with its status, circuit and the success
   * rate, latency and last error of its attempts in the last hour.
   */
  async overview(tenant: string, slug?: string): Promise<DestinationOverview[]> {
    const now = this.deps.clock.now();
    const [statuses, attempts] = await Promise.all([
      this.list(tenant, slug),
      this.deps.store.forTenant(tenant).recentAttempts(now - RECENT_WINDOW_MS, RECENT_ATTEMPTS_READ),
    ]);
    const recent = recentHealthBy(attempts);
    return statuses.map((s) => ({
      ...s,
      circuit: circuitStatus(circuitOf(s.state), now),
      recent: recent.get(s.item.config.slug) ?? NO_RECENT_ATTEMPTS,
    }));
  }

  /**
   * Gives a run-time destination a new signing secret in place of its secrets, returned this once
   * (its receivers must take it: what was signed with the old one no longer is).
   */
  async rotateSigningSecret(tenant: string, slug: string): Promise<{ secret: string }> {
    this.items.refuseConfigItem(tenant, slug);
    const item = await this.items.get(tenant, slug);
    const secret = newSigningSecret(item.config.signing.scheme);
    if (secret === null)
      throw new OperationError(
        "invalid_request",
        `the destination "${slug}" does not sign its deliveries: choose a signing scheme first`,
      );
    await this.items.update(tenant, slug, { signing: { secrets: [secret] } });
    return { secret };
  }

  /**
   * Enables a destination (closing its circuit and forgetting its failures) or disables it (its
   * deliveries wait, nothing is sent, `reason` kept with it); the worker takes the new state at once.
   */
  async setEnabled(
    tenant: string,
    slug: string,
    enabled: boolean,
    reason = "disabled through the API",
  ): Promise<DestinationStatus> {
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
      : { ...state, state: "disabled", disabledReason: reason };
    await this.deps.store.forTenant(tenant).saveDestinationState(next);
    await this.deps.delivery.reloadStates();
    return (await this.list(tenant, slug))[0] as DestinationStatus;
  }
}
