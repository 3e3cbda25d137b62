import type { z } from "zod";
import { destinationSchema, routeSchema } from "../config/routing-schema.js";
import { sourceSchema } from "../config/schema.js";
import { isJsonObject } from "../core/json-object.js";
import type { TopologyKind } from "../storage/port.js";

/** The schema each kind of item is validated by: the config file's own. */
export const KIND_SCHEMAS = {
  sources: sourceSchema,
  destinations: destinationSchema,
  routes: routeSchema,
} as const satisfies Record<TopologyKind, z.ZodType>;

export type KindConfig<K extends TopologyKind> = z.output<(typeof KIND_SCHEMAS)[K]>;

type Doc = Record<string, unknown>;

/**
 * An item's document (what was written: the config file's form, durations as text) split into what
 * the store keeps as JSON and its secrets (a source's `secrets`, a destination's
 * `signing.secrets`), which are kept apart and sealed.
 */
export function splitSecrets(kind: TopologyKind, doc: Doc): { definition: Doc; secrets: string[] | null } {
  if (kind === "sources") {
    const { secrets, ...definition } = doc;
    return { definition, secrets: Array.isArray(secrets) ? secrets.map(String) : null };
  }
  if (kind === "destinations" && isJsonObject(doc.signing)) {
    const { secrets, ...signing } = doc.signing;
    return { definition: { ...doc, signing }, secrets: Array.isArray(secrets) ? secrets.map(String) : null };
  }
  return { definition: doc, secrets: null };
}

/** The document with its secrets back in place, to be validated whole. */
export function joinSecrets(kind: TopologyKind, definition: Doc, secrets: readonly string[] | null): Doc {
  if (secrets === null) return definition;
  if (kind === "sources") return { ...definition, secrets: [...secrets] };
  if (kind === "destinations") {
    const signing = isJsonObject(definition.signing) ? definition.signing : {};
    return { ...definition, signing: { ...signing, secrets: [...secrets] } };
  }
  return definition;
}

/** Where a sealed secret belongs: a value sealed for one item does not open for another. */
export function secretContext(tenant: string, kind: TopologyKind, slug: string): string {
  return `${tenant}/${kind}/${slug}`;
}
