/**
 * Classification of a parsed webhook body, run on the ingest hot path for every event: one Map
 * lookup and one validate-only check, with zod's safeParse only for a body that fails it. It never
 * throws, and an unknown or malformed event is still classified, because the gateway accepts any `type`.
 */
import { surelyMatches } from "./fast-check.js";
import { lookupEventType } from "./lookup.js";
import { formatSchemaIssues } from "./schema-issues.js";

/** What the gateway needs to know about one event body. */
export interface EventClassification {
  /** The raw `type` string of the body, or "" when it is absent or not a string. */
  type: string;
  /** The canonical name for a known type; the raw type otherwise. */
  canonicalType: string;
  known: boolean;
  legacy: boolean;
  controlPlane: boolean;
  /** Readable schema mismatches of a known type (at most ~10); empty for unknown types. */
  schemaIssues: string[];
}

function rawTypeOf(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const type = (body as { type?: unknown }).type;
  return typeof type === "string" ? type : "";
}

/** Classifies a parsed event body: its canonical type, flags and schema issues. Never throws. */
export function classifyEvent(body: unknown): EventClassification {
  const type = rawTypeOf(body);
  const entry = lookupEventType(type);
  if (entry === undefined) {
    return { type, canonicalType: type, known: false, legacy: false, controlPlane: false, schemaIssues: [] };
  }
  let schemaIssues: string[] = [];
  try {
    if (!surelyMatches(entry.schema, body)) {
      const result = entry.schema.safeParse(body);
      if (!result.success) schemaIssues = formatSchemaIssues(result.error.issues);
    }
  } catch (error) {
    // Neither check throws on bad input, but a hostile getter or proxy could; report, don't crash.
    schemaIssues = [
      `(root): could not be validated: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
  return {
    type,
    canonicalType: entry.type,
    known: true,
    legacy: entry.legacy,
    controlPlane: entry.controlPlane,
    schemaIssues,
  };
}
