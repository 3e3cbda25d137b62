import { CliError } from "./exit-codes.js";

/** Sets `a.b.c` in a JSON object to a value; `value` is parsed as JSON when it is JSON, else kept as a string. */
export function setPath(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new CliError(`--set expects path=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split(".");
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype")
      throw new CliError(`--set: "${key}" is not allowed`);
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
