import { ConfigError } from "../core/config-error.js";
import type { AttemptTrigger, NewDelivery } from "../core/delivery-types.js";
import type { FilterSubject } from "../core/filter.js";
import { newDeliveryId } from "../core/ids.js";
import { initialAttemptAt } from "../core/retry-schedule.js";
import type { DestinationEntry } from "../topology/entries.js";
import type { Topology } from "../topology/live.js";
import type { CompiledRoute, TopologySnapshot } from "../topology/snapshot.js";

export { compileRouteFilter } from "../topology/route-filter.js";

/**
 * The config file's routes whose filter does not compile, as a ConfigError naming each by its
 * path (`routes[i].filter…`); null when all compile. Start-up stops on it.
 */
export function configRouteIssues(snapshot: TopologySnapshot): ConfigError | null {
  const issues = snapshot.issues
    .filter((i) => snapshot.definition.routes[i.index]?.managedBy === "config")
    .map((i) => `routes[${i.index}].${i.message}`);
  return issues.length > 0 ? new ConfigError(null, issues) : null;
}

/**
 * Plans the deliveries of an event: every route of the event's tenant whose source and filter
 * match adds its destinations, and each destination receives the event once however many routes
 * name it. Reads the topology in force at each call.
 */
export class DeliveryPlanner {
  constructor(private readonly topology: Topology) {}

  /** A tenant's routes that match an event, each with its destinations. */
  matchingRoutes(tenant: string, subject: FilterSubject): CompiledRoute[] {
    return this.topology.routes(tenant, subject.source).filter((r) => r.filter.match(subject));
  }

  /**
   * The deliveries to create with a newly received event: one per destination for the routes that
   * send the event as it is, and one per destination of each route with a transform (its body is
   * its own). A route naming a destination its tenant does not have skips it.
   */
  plan(tenant: string, subject: FilterSubject, receivedAt: number): NewDelivery[] {
    const byDestination = new Map<string, { entry: DestinationEntry; routes: string[] }>();
    const transformed: NewDelivery[] = [];
    for (const route of this.matchingRoutes(tenant, subject)) {
      for (const d of route.destinations) {
        const entry = this.topology.destination(tenant, d);
        if (!entry) continue;
        if (route.transforms) {
          transformed.push(delivery(entry, [route.slug], receivedAt, receivedAt, "initial", route.slug));
          continue;
        }
        const known = byDestination.get(d);
        if (known) known.routes.push(route.slug);
        else byDestination.set(d, { entry, routes: [route.slug] });
      }
    }
    const raw = [...byDestination.values()].map(({ entry, routes }) =>
      delivery(entry, routes, receivedAt, receivedAt, "initial"),
    );
    return transformed.length === 0 ? raw : [...raw, ...transformed];
  }

  /**
   * A delivery to a tenant's `destination` (shaped by `route`'s transform, if given), due by its
   * policy, whose attempts must start before its deadline. Throws for a destination not in force.
   */
  newDelivery(
    tenant: string,
    destination: string,
    routes: string[],
    startAt: number,
    now: number,
    trigger: AttemptTrigger,
    route: string | null = null,
  ): NewDelivery {
    const entry = this.topology.destination(tenant, destination);
    if (!entry) throw new Error(`no destination "${destination}" of tenant "${tenant}"`);
    return delivery(entry, routes, startAt, now, trigger, route);
  }

  /** When attempts for a delivery to `destination` started at `startAt` must stop; Infinity for a destination not in force. */
  deadlineFor(tenant: string, destination: string, startAt: number): number {
    const entry = this.topology.destination(tenant, destination);
    return entry ? startAt + entry.config.retry.maxAge : Number.POSITIVE_INFINITY;
  }
}

/** A delivery to a destination in force, due by its retry policy. */
function delivery(
  entry: DestinationEntry,
  routes: string[],
  startAt: number,
  now: number,
  trigger: AttemptTrigger,
  route: string | null = null,
): NewDelivery {
  return {
    id: newDeliveryId(now),
    destination: entry.config.slug,
    routes,
    ...(route ? { route } : {}),
    nextAttemptAt: trigger === "initial" ? initialAttemptAt(entry.config.retry, startAt) : now,
    deadlineAt: startAt + entry.config.retry.maxAge,
    trigger,
  };
}
