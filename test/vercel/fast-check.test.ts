import { describe, expect, it } from "vitest";
import { surelyMatches } from "../../src/vercel/fast-check.js";
import { eventCatalog, sampleEvent } from "../../src/vercel/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REPLACEMENTS: readonly Json[] = [null, 42, -1.5, "text", "", true, [], {}, [1, "a"], { id: 1 }];

/** Every path into a JSON value, the root excepted. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const child = (value as Record<string | number, Json>)[key] as Json;
    return [[...prefix, key], ...paths(child, [...prefix, key])];
  });
}

/** A copy of `value` with the node at `path` replaced, or removed when `replacement` is undefined. */
function mutate(value: Json, path: (string | number)[], replacement: Json | undefined): Json {
  const copy = structuredClone(value);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (replacement !== undefined) node[last] = replacement;
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
  return copy;
}

describe("the fast schema check", () => {
  it("passes every catalog sample, as zod does", () => {
    for (const entry of eventCatalog) {
      const body = sampleEvent(entry.type);
      expect(entry.schema.safeParse(body).success, entry.type).toBe(true);
      expect(surelyMatches(entry.schema, body), entry.type).toBe(true);
    }
  });

  it("gives zod's verdict on every mutation of every sample: each node removed or replaced", () => {
    let mutations = 0;
    let refused = 0;
    for (const entry of eventCatalog) {
      const sample = sampleEvent(entry.type) as Json;
      for (const path of paths(sample)) {
        for (const replacement of [undefined, ...REPLACEMENTS]) {
          const body = mutate(sample, path, replacement);
          const zod = entry.schema.safeParse(body).success;
          const fast = surelyMatches(entry.schema, body);
          if (fast !== zod) {
            throw new Error(
              `${entry.type} at ${path.join(".")} → ${JSON.stringify(replacement)}: zod ${zod}, fast ${fast}`,
            );
          }
          mutations++;
          if (!zod) refused++;
        }
      }
    }
    // The mutations must exercise both verdicts in numbers, or the comparison proves little.
    expect(mutations).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(1_000);
    expect(mutations - refused).toBeGreaterThan(1_000);
  });

  it("refuses what is not an object, and a type spelled differently from the schema's", () => {
    const entry = eventCatalog.find((e) => e.type === "deployment.created");
    if (!entry) throw new Error("deployment.created is missing from the catalog");
    for (const body of [null, 1, "x", [], { ...sampleEvent("deployment.created"), type: "other" }]) {
      expect(surelyMatches(entry.schema, body)).toBe(false);
      expect(entry.schema.safeParse(body).success).toBe(false);
    }
  });
});
