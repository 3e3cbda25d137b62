/** The value found at a field path, or `found: false` when the path leads nowhere. */
export type Lookup = { found: true; value: unknown } | { found: false };

const MISSING: Lookup = { found: false };

// These names reach the prototype chain rather than the payload; a filter has no business there.
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Splits a dotted field path (`payload.alias.0`) into its segments. */
export function splitPath(path: string): readonly string[] {
  return path.split(".");
}

/** Follows path segments through parsed JSON: own keys of objects, decimal indexes of arrays. */
export function lookupPath(root: unknown, segments: readonly string[]): Lookup {
  let current = root;
  for (const segment of segments) {
    if (FORBIDDEN.has(segment)) return MISSING;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return MISSING;
      const index = Number(segment);
      if (index >= current.length) return MISSING;
      current = current[index];
    } else if (typeof current === "object" && current !== null) {
      if (!Object.hasOwn(current, segment)) return MISSING;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return MISSING;
    }
  }
  return current === undefined ? MISSING : { found: true, value: current };
}
