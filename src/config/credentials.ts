import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "./schema.js";

/** Credentials Switchyard made for itself, kept in the data folder (file mode 0600). */
export interface StoredCredentials {
  adminToken?: string;
  vercelSecret?: string;
}

/** What `ensureCredentials` filled in, so start-up can tell the user once. */
export interface Provisioned {
  config: Config;
  credentialsFile: string;
  generatedAdminToken: boolean;
  devSource: boolean;
}

/** The folder that holds Switchyard's own files: the SQLite file's folder. */
export function dataDirOf(config: Config, cwd = process.cwd()): string {
  const url = config.database.url;
  return url.startsWith("sqlite:")
    ? dirname(resolve(cwd, url.slice("sqlite:".length)))
    : resolve(cwd, ".switchyard");
}

/** Reads the credentials file of a data folder, if any. */
export function readCredentials(dataDir: string): StoredCredentials {
  const file = join(dataDir, "credentials.json");
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, "utf8")) as StoredCredentials;
}

/**
 * Fills in what a newcomer should not have to write: an admin token when none is configured, and,
 * when no config file exists, a `vercel` source with a generated secret. Both are persisted so a
 * restart keeps them.
 */
export function ensureCredentials(
  config: Config,
  file: string | null,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Provisioned {
  const dataDir = dataDirOf(config, cwd);
  const credentialsFile = join(dataDir, "credentials.json");
  const stored = readCredentials(dataDir);
  const next: StoredCredentials = { ...stored };
  let generatedAdminToken = false;
  let adminToken = config.adminToken;
  if (!adminToken) {
    if (!next.adminToken) next.adminToken = `sy_admin_${randomBytes(24).toString("base64url")}`;
    adminToken = next.adminToken;
    generatedAdminToken = true;
  }
  let sources = config.sources;
  const devSource = file === null && sources.length === 0;
  if (devSource) {
    const secret = env.VERCEL_WEBHOOK_SECRET || next.vercelSecret || randomBytes(24).toString("hex");
    if (!env.VERCEL_WEBHOOK_SECRET) next.vercelSecret = secret;
    sources = [{ slug: "vercel", kind: "vercel", secrets: [secret], insecure: false }];
  }
  if (next.adminToken !== stored.adminToken || next.vercelSecret !== stored.vercelSecret) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(credentialsFile, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    chmodSync(credentialsFile, 0o600);
  }
  return { config: { ...config, adminToken, sources }, credentialsFile, generatedAdminToken, devSource };
}
