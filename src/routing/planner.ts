import type { DestinationConfig, RouteConfig } from "../config/routing-schema.js";
import { ConfigError } from "../core/config-error.js";
import type { AttemptTrigger, NewDelivery } from "../core/delivery-types.js";
import { type CompiledFilter, compileFilter, FilterError, type FilterSubject } from "../core/filter.js";
import { newDeliveryId } from "../core/ids.js";
import { initialAttemptAt } from "../core/retry-schedule.js";
import { getEventType, normalizeEventType } from "../vercel/index.js";

interface CompiledRoute {
  slug: string;
  sources: ReadonlySet<string>;
  filter: CompiledFilter;
  destinations: readonly string[];
  /** Whether the route reshapes the event: its deliveries are then its own. */
  transforms: boolean;
}

const normalizeType = (t: string) => normalizeEventType(t).canonical;
const spellings = (t: string): readonly string[] => {
  const entry = getEventType(t);
  return entry ? [entry.type, ...entry.aliases] : [t];
};

/** Compiles a route's `types` and `filter` as the planner does; throws FilterError on a bad one. */
export function compileRouteFilter(route: Pick<RouteConfig, "types" | "filter">): CompiledFilter {
  const spec = {
    ...(route.filter ? { filter: route.filter } : {}),
    ...(route.types ? { types: route.types } : {}),
  };
  return compileFilter(spec, { normalizeType, spellings });
}

/**
 * Plans the deliveries of an event: every route whose source and filter match adds its
 * destinations, and each destination receives the event once however many routes name it.
 */
export class DeliveryPlanner {
  private readonly routes: CompiledRoute[];
  readonly destinations: ReadonlyMap<string, DestinationConfig>;

  /** Compiles every route's filter; a bad one stops start-up with its config path. */
  constructor(routes: readonly RouteConfig[], destinations: readonly DestinationConfig[]) {
    this.destinations = new Map(destinations.map((d) => [d.slug, d]));
    const issues: string[] = [];
    this.routes = routes.flatMap((route, i) => {
      try {
        const filter = compileRouteFilter(route);
        return [
          {
            slug: route.slug,
            sources: new Set(route.source),
            filter,
            destinations: route.destinations,
            transforms: route.transform !== undefined,
          },
        ];
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        issues.push(`routes[${i}].${error.message}`);
        return [];
      }
    });
    if (issues.length > 0) throw new ConfigError(null, issues);
  }

  /** The routes that match an event, each with its destinations. */
  matchingRoutes(subject: FilterSubject): CompiledRoute[] {
    return this.routes.filter((r) => r.sources.has(subject.source) && r.filter.match(subject));
  }

  /**
   * The deliveries to create with a newly received event: one per destination for the routes that
   * send the event as it is, and one per destination of each route with a transform (its body is
   * its own).
   */
  plan(subject: FilterSubject, receivedAt: number): NewDelivery[] {
    const byDestination = new Map<string, string[]>();
    const transformed: NewDelivery[] = [];
    for (const route of this.matchingRoutes(subject)) {
      for (const d of new Set(route.destinations)) {
        if (route.transforms) {
          transformed.push(this.newDelivery(d, [route.slug], receivedAt, receivedAt, "initial", route.slug));
          continue;
        }
        const list = byDestination.get(d);
        if (list) list.push(route.slug);
        else byDestination.set(d, [route.slug]);
      }
    }
    const raw = [...byDestination].map(([destination, routes]) =>
      this.newDelivery(destination, routes, receivedAt, receivedAt, "initial"),
    );
    return transformed.length === 0 ? raw : [...raw, ...transformed];
  }

  /** A delivery to `destination` (shaped by `route`'s transform, if given), due by its policy, whose attempts must start before its deadline. */
  newDelivery(
    destination: string,
    routes: string[],
    startAt: number,
    now: number,
    trigger: AttemptTrigger,
    route: string | null = null,
  ): NewDelivery {
    const config = this.destinations.get(destination);
    if (!config) throw new Error(`no destination "${destination}"`);
    return {
      id: newDeliveryId(now),
      destination,
      routes,
      ...(route ? { route } : {}),
      nextAttemptAt: trigger === "initial" ? initialAttemptAt(config.retry, startAt) : now,
      deadlineAt: this.deadlineFor(destination, startAt),
      trigger,
    };
  }

  /** When attempts for a delivery to `destination` started at `startAt` must stop; Infinity for an unknown destination. */
  deadlineFor(destination: string, startAt: number): number {
    const config = this.destinations.get(destination);
    return config ? startAt + config.retry.maxAge : Number.POSITIVE_INFINITY;
  }
}
