import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import { diffTopology, isEmptyChange, type TopologyChange } from "./diff.js";
import {
  type DestinationEntry,
  type Owned,
  type SourceEntry,
  type TopologyDefinition,
  tenantKey,
} from "./entries.js";
import type { CompiledRoute } from "./snapshot.js";
import { TopologySnapshot } from "./snapshot.js";

/** Where run-time items are kept (the store): read whole, versioned, and (where it can) announced. */
export interface TopologyRecords {
  /** The current topology version: a counter bumped by every change. */
  topologyVersion(): Promise<number>;
  /** Every tenant's run-time items, and the version they were read at (one consistent read). */
  loadTopology(): Promise<{ version: number; definition: TopologyDefinition }>;
  /** Calls `onChange` when another process changed the topology (PostgreSQL's LISTEN/NOTIFY). */
  subscribeTopology?(onChange: () => void): Promise<() => Promise<void>>;
}

/** The topology's read side, as ingest, routing and delivery use it. */
export interface Topology {
  /** The source serving `POST /ingest/:slug`, of whichever tenant owns it. */
  source(slug: string): SourceEntry | undefined;
  /** A tenant's routes that take events of a source. */
  routes(tenant: string, source: string): readonly CompiledRoute[];
  /** One of a tenant's destinations. */
  destination(tenant: string, slug: string): DestinationEntry | undefined;
  /** The snapshot in force. */
  readonly current: TopologySnapshot;
}

export interface LiveTopologyOptions {
  logger?: Logger;
  /**
   * How often the version is checked when no notification comes (a change made by another process
   * is seen within this); null when no other process changes the store, and nothing is polled.
   */
  pollMs?: number | null;
}

export interface LiveTopologyEvents {
  change: [change: TopologyChange];
}

/**
 * The topology in force on this node: the config file's items, fixed, and the store's, reloaded
 * when its version moves. A change made here is seen at once (the operations that write call
 * `refresh`); one made on another node within a second, by notification or by the version check.
 */
export class LiveTopology extends EventEmitter<LiveTopologyEvents> implements Topology {
  private snapshot: TopologySnapshot;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private refreshing: Promise<boolean> | null = null;
  /** The one run queued behind the current one. */
  private following: Promise<boolean> | null = null;
  private readonly preparers: ((change: TopologyChange) => Promise<void>)[] = [];

  private constructor(
    private readonly base: TopologyDefinition,
    private readonly records: TopologyRecords | null,
    private readonly options: LiveTopologyOptions,
  ) {
    super();
    this.snapshot = new TopologySnapshot(0, base);
  }

  /** Loads the store's items over the config's and starts following changes. */
  static async open(
    base: TopologyDefinition,
    records: TopologyRecords | null,
    options: LiveTopologyOptions = {},
  ): Promise<LiveTopology> {
    const topology = new LiveTopology(base, records, options);
    if (!records) return topology;
    const loaded = await records.loadTopology();
    topology.snapshot = new TopologySnapshot(loaded.version, topology.merge(loaded.definition));
    const pollMs = options.pollMs === undefined ? 1000 : options.pollMs;
    if (pollMs !== null) {
      topology.timer = setInterval(() => void topology.refresh(), pollMs);
      topology.timer.unref();
    }
    if (records.subscribeTopology)
      topology.unsubscribe = await records.subscribeTopology(() => void topology.refresh());
    return topology;
  }

  /** A topology of the config file alone (tools and tests without a store). */
  static fixed(base: TopologyDefinition): LiveTopology {
    return new LiveTopology(base, null, {});
  }

  get current(): TopologySnapshot {
    return this.snapshot;
  }

  source(slug: string): SourceEntry | undefined {
    return this.snapshot.source(slug);
  }

  routes(tenant: string, source: string): readonly CompiledRoute[] {
    return this.snapshot.routes(tenant, source);
  }

  destination(tenant: string, slug: string): DestinationEntry | undefined {
    return this.snapshot.destination(tenant, slug);
  }

  /**
   * Reloads the store's items if their version moved, emits `change` with what moved, and resolves
   * to whether anything did. A call made while one runs waits for it, then runs (once for all
   * such calls): a change committed during a reload is never missed.
   */
  refresh(): Promise<boolean> {
    if (this.refreshing) {
      this.following ??= this.refreshing.then(() => {
        this.following = null;
        return this.refresh();
      });
      return this.following;
    }
    this.refreshing = this.reload().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Runs `prepare` on every change before the new snapshot is in force (compiling a new route's
   * code, say), so nothing routes to what is not ready. A preparer that throws is logged; the change
   * still takes effect.
   */
  prepare(prepare: (change: TopologyChange) => Promise<void>): void {
    this.preparers.push(prepare);
  }

  /** Stops following changes. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    await unsubscribe?.();
  }

  private async reload(): Promise<boolean> {
    const records = this.records;
    if (!records) return false;
    try {
      if ((await records.topologyVersion()) === this.snapshot.version) return false;
      const loaded = await records.loadTopology();
      if (loaded.version === this.snapshot.version) return false;
      const next = new TopologySnapshot(loaded.version, this.merge(loaded.definition));
      const change = diffTopology(this.snapshot, next);
      if (!isEmptyChange(change)) {
        for (const prepare of this.preparers) {
          await prepare(change).catch((error: Error) =>
            this.options.logger?.error({ error: error.message }, "preparing a topology change failed"),
          );
        }
      }
      this.snapshot = next;
      for (const issue of next.issues)
        this.options.logger?.warn(
          { tenant: issue.tenant, route: issue.route, error: issue.message },
          "a route's filter does not compile; it matches nothing",
        );
      if (!isEmptyChange(change)) this.emit("change", change);
      return true;
    } catch (error) {
      // The next notification or check tries again; what is in force stays in force.
      this.options.logger?.warn({ error: (error as Error).message }, "could not reload the topology");
      return false;
    }
  }

  /** The config's items and the store's; a store item under a config item's name yields to it. */
  private merge(stored: TopologyDefinition): TopologyDefinition {
    const pick = <C extends { slug: string }>(
      base: readonly Owned<C>[],
      extra: readonly Owned<C>[],
      global: boolean,
    ) => {
      const taken = new Set(base.map((i) => (global ? i.config.slug : tenantKey(i.tenant, i.config.slug))));
      return [
        ...base,
        ...extra.filter((i) => !taken.has(global ? i.config.slug : tenantKey(i.tenant, i.config.slug))),
      ];
    };
    return {
      sources: pick(this.base.sources, stored.sources, true),
      destinations: pick(this.base.destinations, stored.destinations, false),
      routes: pick(this.base.routes, stored.routes, false),
    };
  }
}
