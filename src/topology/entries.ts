/**
 * Glossary (topology)
 *
 * - topology: the sources, destinations and routes in force, each owned by a tenant and named by a
 *   slug unique within its tenant (a source's slug is unique across tenants: it is its URL).
 * - managedBy: where an item is defined. `config`: the YAML file, read-only at run time, tenant
 *   `default`. `api`: created at run time through the management API and kept in the store.
 * - version: the store's topology counter, bumped in the transaction of every change, so every
 *   node can tell whether what it holds is current.
 */

import type { DestinationConfig, RouteConfig } from "../config/routing-schema.js";
import type { Config, SourceConfig } from "../config/schema.js";
import { DEFAULT_TENANT } from "../core/types.js";

export type ManagedBy = "config" | "api";

/** One source, destination or route, with its owner and where it is defined. */
export interface Owned<C> {
  tenant: string;
  managedBy: ManagedBy;
  config: C;
}

export type SourceEntry = Owned<SourceConfig>;
export type DestinationEntry = Owned<DestinationConfig>;
export type RouteEntry = Owned<RouteConfig>;

/** Everything that makes a topology: the items of every tenant. */
export interface TopologyDefinition {
  sources: readonly SourceEntry[];
  destinations: readonly DestinationEntry[];
  routes: readonly RouteEntry[];
}

export const EMPTY_DEFINITION: TopologyDefinition = { sources: [], destinations: [], routes: [] };

/** The config file's items: tenant `default`, managed by the config. */
export function fromConfig(config: Pick<Config, "sources" | "destinations" | "routes">): TopologyDefinition {
  const own = <C>(c: C): Owned<C> => ({ tenant: DEFAULT_TENANT, managedBy: "config", config: c });
  return {
    sources: config.sources.map(own),
    destinations: config.destinations.map(own),
    routes: config.routes.map(own),
  };
}

/** One key for an item of a tenant (slugs and tenants cannot hold a newline). */
export function tenantKey(tenant: string, slug: string): string {
  return `${tenant}\n${slug}`;
}
