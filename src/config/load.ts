import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, formatPath } from "../core/config-error.js";
import { interpolate, type MissingVariable } from "./interpolate.js";
import { type Config, configSchema } from "./schema.js";
import { readTransformFiles } from "./transform-files.js";

/** Where the configuration came from, and what it says. */
export interface LoadedConfig {
  config: Config;
  /** The YAML file read, or null when Switchyard runs on its embedded defaults. */
  file: string | null;
}

/** Command-line values, which win over the environment and the file. */
export interface ConfigFlags {
  config?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
}

/** Finds the config file: `--config`, else `SWITCHYARD_CONFIG`, else `./switchyard.yaml` when present. */
export function findConfigFile(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = flags.config ?? env.SWITCHYARD_CONFIG;
  if (named) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new ConfigError(path, [`config file not found: ${path}`]);
    return path;
  }
  const local = resolve(cwd, "switchyard.yaml");
  return existsSync(local) ? local : null;
}

/** Reads, interpolates and validates the configuration: flags > environment > file > defaults. */
export function loadConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
) {
  const file = findConfigFile(flags, env, cwd);
  let tree: Record<string, unknown> = {};
  if (file) {
    const doc = parseDocument(readFileSync(file, "utf8"), { uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        file,
        doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split("\n")[0]}`),
      );
    }
    const parsed: unknown = doc.toJS();
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new ConfigError(file, ["(root): expected a mapping of settings"]);
      }
      const missing: MissingVariable[] = [];
      tree = interpolate(parsed, env, missing) as Record<string, unknown>;
      if (missing.length > 0) {
        throw new ConfigError(
          file,
          missing.map(
            (m) =>
              `${m.path}: environment variable ${m.variable} is not set and has no default${hintFor(m.variable, cwd)}`,
          ),
        );
      }
    }
  }
  return { config: validateConfig(applyOverrides(tree, flags, env), file), file } satisfies LoadedConfig;
}

/**
 * Where a variable's value may be found: after the zero-config start, the webhook secret it
 * generated (and Vercel was given) is kept in the default data folder's credentials file.
 */
function hintFor(variable: string, cwd: string): string {
  if (variable !== "VERCEL_WEBHOOK_SECRET") return "";
  const credentials = join(cwd, ".switchyard", "credentials.json");
  return existsSync(credentials)
    ? ` (the secret the zero-config start generated is "vercelSecret" in ${credentials}: export VERCEL_WEBHOOK_SECRET with it to keep using it)`
    : "";
}

/** Validates a raw tree against the schema; throws ConfigError listing every bad key. */
export function validateConfig(tree: unknown, file: string | null = null): Config {
  const result = configSchema.safeParse(tree);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        const where = formatPath(issue.path);
        if (issue.code === "unrecognized_keys") {
          return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
        }
        return `${where}: ${issue.message}`;
      }),
    );
  }
  const fileIssues = readTransformFiles(result.data, file);
  if (fileIssues.length > 0) throw new ConfigError(file, fileIssues);
  return result.data;
}

function applyOverrides(tree: Record<string, unknown>, flags: ConfigFlags, env: NodeJS.ProcessEnv) {
  const out: Record<string, unknown> = { ...tree };
  const section = (key: string) => {
    const current = out[key];
    const copy = current !== null && typeof current === "object" ? { ...(current as object) } : {};
    out[key] = copy;
    return copy as Record<string, unknown>;
  };
  const port = flags.port ?? env.PORT;
  if (port !== undefined && port !== "") section("server").port = port;
  const host = flags.host ?? env.HOST;
  if (host) section("server").host = host;
  if (env.DATABASE_URL) section("database").url = env.DATABASE_URL;
  if (env.SWITCHYARD_ADMIN_TOKEN) out.adminToken = env.SWITCHYARD_ADMIN_TOKEN;
  if (env.SWITCHYARD_ENCRYPTION_KEY) out.encryptionKey = env.SWITCHYARD_ENCRYPTION_KEY;
  return out;
}
