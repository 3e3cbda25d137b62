import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { Config } from "./schema.js";

/**
 * Reads each route's `transform.file` (relative to the config file, or the working directory
 * without one) into `transform.code`, keeping the resolved path for error messages. A file must
 * be inside that folder once symbolic links are resolved, so a config cannot make Switchyard
 * read (and echo in its errors) any file of the machine. Returns an issue, with its config path,
 * for each file that is outside or cannot be read.
 */
export function readTransformFiles(config: Config, configFile: string | null, cwd = process.cwd()): string[] {
  const base = configFile ? dirname(configFile) : cwd;
  const issues: string[] = [];
  config.routes.forEach((route, i) => {
    const t = route.transform;
    if (t?.file === undefined) return;
    const key = `routes[${i}].transform.file`;
    const path = resolve(base, t.file);
    let real: string;
    let folder: string;
    try {
      folder = realpathSync(base);
      real = realpathSync(path);
    } catch (error) {
      issues.push(`${key}: cannot read ${path}: ${reason(error)}`);
      return;
    }
    const inside = relative(folder, real);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      const via = real === path ? "" : ` (it resolves to ${real})`;
      issues.push(
        `${key}: ${t.file} is outside ${folder}${via}: a transform file must be inside the config file's folder`,
      );
      return;
    }
    try {
      t.code = readFileSync(real, "utf8");
      t.file = path;
    } catch (error) {
      issues.push(`${key}: cannot read ${path}: ${reason(error)}`);
    }
  });
  return issues;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "a folder, not a file";
  return (error as Error).message;
}
