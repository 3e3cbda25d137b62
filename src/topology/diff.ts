import type { DestinationEntry, Owned, RouteEntry, SourceEntry } from "./entries.js";
import { tenantKey } from "./entries.js";
import type { TopologySnapshot } from "./snapshot.js";

/** The items of one kind that a change added, changed (same key, new definition) or removed. */
export interface ItemChanges<T> {
  added: T[];
  changed: T[];
  removed: T[];
}

/** What moved between two snapshots, for the parts that hold state per item (worker lanes, compiled transforms). */
export interface TopologyChange {
  before: TopologySnapshot;
  after: TopologySnapshot;
  sources: ItemChanges<SourceEntry>;
  destinations: ItemChanges<DestinationEntry>;
  routes: ItemChanges<RouteEntry>;
}

function diffItems<C extends { slug: string }>(
  before: readonly Owned<C>[],
  after: readonly Owned<C>[],
): ItemChanges<Owned<C>> {
  const old = new Map(before.map((i) => [tenantKey(i.tenant, i.config.slug), i]));
  const changes: ItemChanges<Owned<C>> = { added: [], changed: [], removed: [] };
  for (const item of after) {
    const key = tenantKey(item.tenant, item.config.slug);
    const was = old.get(key);
    old.delete(key);
    if (!was) changes.added.push(item);
    else if (was.managedBy !== item.managedBy || JSON.stringify(was.config) !== JSON.stringify(item.config))
      changes.changed.push(item);
  }
  changes.removed.push(...old.values());
  return changes;
}

/** What changed from `before` to `after`. */
export function diffTopology(before: TopologySnapshot, after: TopologySnapshot): TopologyChange {
  return {
    before,
    after,
    sources: diffItems(before.definition.sources, after.definition.sources),
    destinations: diffItems(before.definition.destinations, after.definition.destinations),
    routes: diffItems(before.definition.routes, after.definition.routes),
  };
}

/** Whether a change moved anything. */
export function isEmptyChange(c: TopologyChange): boolean {
  return [c.sources, c.destinations, c.routes].every(
    (k) => k.added.length === 0 && k.changed.length === 0 && k.removed.length === 0,
  );
}
