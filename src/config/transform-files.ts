import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "./schema.js";

/**
 * Reads each route's `transform.file` (relative to the config file, or the working directory
 * without one) into `transform.code`, keeping the resolved path for error messages. Returns an
 * issue, with its config path, for each file that cannot be read.
 */
export function readTransformFiles(config: Config, configFile: string | null, cwd = process.cwd()): string[] {
  const base = configFile ? dirname(configFile) : cwd;
  const issues: string[] = [];
  config.routes.forEach((route, i) => {
    const t = route.transform;
    if (t?.file === undefined) return;
    const path = resolve(base, t.file);
    try {
      t.code = readFileSync(path, "utf8");
      t.file = path;
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
      issues.push(`routes[${i}].transform.file: cannot read ${path}: ${reason}`);
    }
  });
  return issues;
}
