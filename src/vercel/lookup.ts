/**
 * Name lookup over the catalog: every spelling (canonical name and aliases) maps to one entry, so
 * that `domain.certificate.add` and `domain.certificate-add` are the same event (reference §1.4).
 * The index is built once at import; a lookup is a single Map read.
 */
import { type EventCatalogEntry, eventCatalog, type VercelEventType } from "./catalog.js";

function buildSpellingIndex(): ReadonlyMap<string, EventCatalogEntry> {
  const index = new Map<string, EventCatalogEntry>();
  for (const entry of eventCatalog) {
    for (const spelling of [entry.type, ...entry.aliases]) {
      // A clash would silently route events to the wrong schema, so fail at import instead.
      const existing = index.get(spelling);
      if (existing !== undefined) {
        throw new Error(
          `Vercel event spelling "${spelling}" is claimed by both ${existing.type} and ${entry.type}`,
        );
      }
      index.set(spelling, entry);
    }
  }
  return index;
}

const spellingIndex = buildSpellingIndex();

/** The catalog entry for any spelling of an event type; undefined for unknown names. */
export function lookupEventType(name: string): EventCatalogEntry | undefined {
  return spellingIndex.get(name);
}

/**
 * Maps any spelling of a known event type to its canonical name; an unknown name is returned
 * unchanged with `known: false`. Legacy names are types of their own and map to themselves.
 */
export function normalizeEventType(raw: string): { canonical: string; known: boolean } {
  const entry = spellingIndex.get(raw);
  return entry === undefined ? { canonical: raw, known: false } : { canonical: entry.type, known: true };
}

/** Catalog entry (metadata and schema) for a canonical name or alias; undefined if unknown. */
export function getEventType<T extends VercelEventType>(name: T): EventCatalogEntry<T>;
export function getEventType(name: string): EventCatalogEntry | undefined;
export function getEventType(name: string): EventCatalogEntry | undefined {
  return spellingIndex.get(name);
}
