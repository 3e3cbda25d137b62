import { RE2JS } from "re2js";
import type { Lookup } from "./filter-path.js";
import type { FilterCondition, Scalar } from "./filter-schema.js";
import { parseIsoDate } from "./iso-date.js";

/** A condition's operator and value, ready to apply to whatever its field path found. */
export type ConditionTest = (found: Lookup) => boolean;

type Test = (actual: unknown) => boolean;

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"
  );
}

function equals(expected: Scalar): Test {
  // Strict: the number 5 and the string "5" are different values in a JSON payload.
  return (actual) => isScalar(actual) && actual === expected;
}

function contains(expected: Scalar): Test {
  return (actual) => {
    if (typeof actual === "string") return typeof expected === "string" && actual.includes(expected);
    if (Array.isArray(actual)) return actual.some((item) => item === expected);
    return false;
  };
}

function oneOf(list: readonly Scalar[]): Test {
  return (actual) => isScalar(actual) && list.includes(actual);
}

function compare(expected: number | string, holds: (difference: number) => boolean): Test {
  if (typeof expected === "number") {
    return (actual) => typeof actual === "number" && holds(actual - expected);
  }
  const expectedMs = parseIsoDate(expected);
  if (expectedMs === undefined) return () => false;
  // Against a date, an epoch-milliseconds number counts as a date too: Vercel's `createdAt` is one.
  return (actual) => {
    const actualMs =
      typeof actual === "number" ? actual : typeof actual === "string" ? parseIsoDate(actual) : undefined;
    return actualMs !== undefined && Number.isFinite(actualMs) && holds(actualMs - expectedMs);
  };
}

function matches(pattern: string): Test {
  // RE2 runs in time linear in the input, so a pattern from the config cannot stall the worker on a
  // long payload the way a backtracking engine can with `(a+)+$`. `test` searches anywhere in the
  // string, like RegExp#test; anchor with ^ and $ to match the whole value.
  const regex = RE2JS.compile(pattern);
  return (actual) => typeof actual === "string" && regex.test(actual);
}

function positiveTest(condition: FilterCondition): Test {
  switch (condition.operator) {
    case "equals":
    case "not_equals":
      return equals(condition.value);
    case "contains":
    case "not_contains":
      return contains(condition.value);
    case "starts_with": {
      const prefix = condition.value;
      return (actual) => typeof actual === "string" && actual.startsWith(prefix);
    }
    case "ends_with": {
      const suffix = condition.value;
      return (actual) => typeof actual === "string" && actual.endsWith(suffix);
    }
    case "in":
    case "not_in":
      return oneOf(condition.value);
    case "exists":
    case "not_exists":
      return () => true;
    case "gt":
      return compare(condition.value, (d) => d > 0);
    case "gte":
      return compare(condition.value, (d) => d >= 0);
    case "lt":
      return compare(condition.value, (d) => d < 0);
    case "lte":
      return compare(condition.value, (d) => d <= 0);
    case "matches":
      return matches(condition.value);
  }
}

const NEGATED = new Set(["not_equals", "not_contains", "not_in", "not_exists"]);

/**
 * Compiles one condition's operator. A missing field fails every positive operator and so passes every
 * negated one (not_equals, not_contains, not_in, not_exists). Throws only here, on a pattern RE2 rejects.
 */
export function compileConditionTest(condition: FilterCondition): ConditionTest {
  const test = positiveTest(condition);
  const negated = NEGATED.has(condition.operator);
  return (found) => {
    let holds = false;
    try {
      holds = found.found && test(found.value);
    } catch {
      // Matching never throws: a condition that cannot be evaluated simply does not hold.
      holds = false;
    }
    return negated ? !holds : holds;
  };
}
