import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SecretBox } from "../core/secret-box.js";
import {
  DataFileError,
  fsReason,
  type LooseFile,
  makePrivateDir,
  PRIVATE_FILE_MODE,
  tightenModes,
} from "../private-files.js";
import type { Config } from "./schema.js";

/** Credentials Switchyard made for itself, kept in the data folder (file mode 0600). */
export interface StoredCredentials {
  adminToken?: string;
  vercelSecret?: string;
  /** Seals the secrets kept in the store (see `encryptionKey` in the config). */
  encryptionKey?: string;
}

/** What `ensureCredentials` filled in, so start-up can tell the user once. */
export interface Provisioned {
  config: Config;
  credentialsFile: string;
  generatedAdminToken: boolean;
  devSource: boolean;
  /** The credentials file, when others could read it and its mode was tightened to 0600. */
  tightened: LooseFile[];
}

/** The folder that holds Switchyard's own files: the SQLite file's folder. */
export function dataDirOf(config: Config, cwd = process.cwd()): string {
  const url = config.database.url;
  return url.startsWith("sqlite:")
    ? dirname(resolve(cwd, url.slice("sqlite:".length)))
    : resolve(cwd, ".switchyard");
}

/** Reads the credentials file of a data folder, if any; a file that cannot be used stops with its path and why. */
export function readCredentials(dataDir: string): StoredCredentials {
  const file = join(dataDir, "credentials.json");
  if (!existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DataFileError(file, `cannot read the credentials file ${file}: ${fsReason(error)}`, {
      cause: error,
    });
  }
  const damaged = (what: string) =>
    new DataFileError(
      file,
      `the credentials file ${file} ${what}: repair it, or remove it to have a new admin token, webhook secret and secret key generated (secrets stored with the old key can then no longer be read)`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damaged(`is not valid JSON (${(error as Error).message})`);
  }
  const fields = ["adminToken", "vercelSecret", "encryptionKey"] as const;
  if (
    parsed === null ||
    typeof parsed !== "object" ||
    Array.isArray(parsed) ||
    fields.some((k) => k in parsed && typeof (parsed as Record<string, unknown>)[k] !== "string")
  ) {
    throw damaged("is not a JSON object of string adminToken, vercelSecret and encryptionKey");
  }
  return parsed as StoredCredentials;
}

/**
 * Fills in what a newcomer should not have to write: an admin token and a secret key when none is
 * configured, and, when no config file exists, a `vercel` source with a generated secret. All are
 * persisted so a restart keeps them.
 */
export function ensureCredentials(
  config: Config,
  file: string | null,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Provisioned {
  const dataDir = dataDirOf(config, cwd);
  const credentialsFile = join(dataDir, "credentials.json");
  const tightened = tightenModes([credentialsFile]);
  const stored = readCredentials(dataDir);
  const next: StoredCredentials = { ...stored };
  let generatedAdminToken = false;
  let adminToken = config.adminToken;
  if (!adminToken) {
    if (!next.adminToken) next.adminToken = `sy_admin_${randomBytes(24).toString("base64url")}`;
    adminToken = next.adminToken;
    generatedAdminToken = true;
  }
  let encryptionKey = config.encryptionKey;
  if (!encryptionKey) {
    next.encryptionKey ??= SecretBox.generateText();
    encryptionKey = next.encryptionKey;
  }
  let sources = config.sources;
  const devSource = file === null && sources.length === 0;
  if (devSource) {
    const secret = env.VERCEL_WEBHOOK_SECRET || next.vercelSecret || randomBytes(24).toString("hex");
    if (!env.VERCEL_WEBHOOK_SECRET) next.vercelSecret = secret;
    sources = [{ slug: "vercel", kind: "vercel", secrets: [secret], insecure: false }];
  }
  if (
    next.adminToken !== stored.adminToken ||
    next.vercelSecret !== stored.vercelSecret ||
    next.encryptionKey !== stored.encryptionKey
  ) {
    makePrivateDir(dataDir);
    try {
      writeFileSync(credentialsFile, `${JSON.stringify(next, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
      chmodSync(credentialsFile, PRIVATE_FILE_MODE);
    } catch (error) {
      throw new DataFileError(
        credentialsFile,
        `cannot write the credentials file ${credentialsFile}: ${fsReason(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return {
    config: { ...config, adminToken, encryptionKey, sources },
    credentialsFile,
    generatedAdminToken,
    devSource,
    tightened,
  };
}
