import type { SourceConfig } from "../config/schema.js";
import type { SourceEntry } from "../topology/entries.js";

/** Which tenant an accepted event of a source belongs to, from the source and the parsed body. */
export type ResolveTenant = (source: SourceEntry, body: unknown) => string;

/** The source's owner: where every event of a kind without a resolver of its own goes. */
const owner: ResolveTenant = (source) => source.tenant;

/**
 * Resolvers by source kind. A kind whose events belong to several tenants (an integration's one
 * webhook serving every installation) picks the tenant from the payload here.
 */
const RESOLVERS: Partial<Record<SourceConfig["kind"], ResolveTenant>> = {};

/** The tenant of an event accepted by `source`. */
export function resolveTenant(source: SourceEntry, body: unknown): string {
  return (RESOLVERS[source.config.kind] ?? owner)(source, body);
}
