/**
 * Turns zod issues into short readable lines such as
 * `payload.deployment.id: expected string, received undefined`, capped so that a wildly wrong body
 * cannot produce an unbounded list.
 */
import type { z } from "zod";

/** Most issue lines reported for one event; the last line summarises any overflow. */
export const MAX_SCHEMA_ISSUES = 10;

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

// zod's English messages start with "Invalid input: " / "Invalid option: ", which adds nothing
// once the path is shown.
const REDUNDANT_PREFIX = /^Invalid (?:input|option): /;

/** One line per issue: `<path>: <what was expected and received>`. */
export function formatSchemaIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const shown = issues.length > MAX_SCHEMA_ISSUES ? issues.slice(0, MAX_SCHEMA_ISSUES - 1) : issues;
  const lines = shown.map(
    (issue) => `${formatPath(issue.path)}: ${issue.message.replace(REDUNDANT_PREFIX, "")}`,
  );
  if (issues.length > MAX_SCHEMA_ISSUES) lines.push(`…and ${issues.length - shown.length} more issues`);
  return lines;
}
