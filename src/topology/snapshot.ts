import { type CompiledFilter, FilterError } from "../core/filter.js";
import {
  type DestinationEntry,
  type RouteEntry,
  type SourceEntry,
  type TopologyDefinition,
  tenantKey,
} from "./entries.js";
import { compileRouteFilter } from "./route-filter.js";

/** A route ready to match events: its filter compiled once per topology version. */
export interface CompiledRoute {
  tenant: string;
  slug: string;
  filter: CompiledFilter;
  destinations: readonly string[];
  /** Whether the route reshapes the event: its deliveries are then its own. */
  transforms: boolean;
}

/** A route whose filter did not compile: left out of matching, named here. */
export interface TopologyIssue {
  tenant: string;
  route: string;
  /** Index of the route in the definition, for the config file's error paths. */
  index: number;
  message: string;
}

/**
 * The topology at one version, indexed for the hot paths: a source by slug, a tenant's routes by
 * source, a destination by (tenant, slug). Immutable: a change builds a new snapshot.
 */
export class TopologySnapshot {
  private readonly sourcesBySlug: ReadonlyMap<string, SourceEntry>;
  private readonly destinationsByKey: ReadonlyMap<string, DestinationEntry>;
  private readonly routesByKey: ReadonlyMap<string, RouteEntry>;
  private readonly routesBySource: ReadonlyMap<string, readonly CompiledRoute[]>;
  readonly issues: readonly TopologyIssue[];

  constructor(
    /** The store's topology version this snapshot reflects (0 without run-time items). */
    readonly version: number,
    readonly definition: TopologyDefinition,
  ) {
    this.sourcesBySlug = new Map(definition.sources.map((s) => [s.config.slug, s]));
    this.destinationsByKey = new Map(
      definition.destinations.map((d) => [tenantKey(d.tenant, d.config.slug), d]),
    );
    this.routesByKey = new Map(definition.routes.map((r) => [tenantKey(r.tenant, r.config.slug), r]));
    const bySource = new Map<string, CompiledRoute[]>();
    const issues: TopologyIssue[] = [];
    definition.routes.forEach((r, index) => {
      let filter: CompiledFilter;
      try {
        filter = compileRouteFilter(r.config);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        issues.push({ tenant: r.tenant, route: r.config.slug, index, message: error.message });
        return;
      }
      const compiled: CompiledRoute = {
        tenant: r.tenant,
        slug: r.config.slug,
        filter,
        destinations: [...new Set(r.config.destinations)],
        transforms: r.config.transform !== undefined,
      };
      for (const source of new Set(r.config.source)) {
        const key = tenantKey(r.tenant, source);
        const list = bySource.get(key);
        if (list) list.push(compiled);
        else bySource.set(key, [compiled]);
      }
    });
    this.routesBySource = bySource;
    this.issues = issues;
  }

  /** The source serving `POST /ingest/:slug`, of whichever tenant owns it. */
  source(slug: string): SourceEntry | undefined {
    return this.sourcesBySlug.get(slug);
  }

  /** A tenant's routes that take events of a source, in definition order. */
  routes(tenant: string, source: string): readonly CompiledRoute[] {
    return this.routesBySource.get(tenantKey(tenant, source)) ?? [];
  }

  /** One of a tenant's routes, as defined. */
  route(tenant: string, slug: string): RouteEntry | undefined {
    return this.routesByKey.get(tenantKey(tenant, slug));
  }

  /** One of a tenant's destinations. */
  destination(tenant: string, slug: string): DestinationEntry | undefined {
    return this.destinationsByKey.get(tenantKey(tenant, slug));
  }

  /** Every destination of every tenant. */
  get destinations(): readonly DestinationEntry[] {
    return this.definition.destinations;
  }
}
