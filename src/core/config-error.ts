/** An invalid configuration: each issue names the bad key's path and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly file: string | null,
    readonly issues: readonly string[],
  ) {
    super(`invalid configuration${file ? ` in ${file}` : ""}:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Formats a zod issue path as `sources[0].secrets[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}
