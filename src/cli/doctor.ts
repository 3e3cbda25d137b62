import { lookup } from "node:dns/promises";
import { join } from "node:path";
import { dataDirOf, readCredentials } from "../config/credentials.js";
import { loadConfig } from "../config/load.js";
import type { Config, IntegrationConfig } from "../config/schema.js";
import { ConfigError } from "../core/config-error.js";
import { redactUrl, redactUrlsIn } from "../core/redact-url.js";
import { ipLiteral, isBlockedAddress } from "../core/ssrf.js";
import { integrationUrls, publicUrlProblem } from "../integration/urls.js";
import { inspectDatabase } from "../storage/backends.js";

type Check = { ok: boolean | "warn"; line: string };

const MAX_SKEW_MS = 2_000;

/** `switchyard doctor`: one line per check; exit status 1 when any fails. */
export async function doctorCommand(flags: { config?: string | undefined }): Promise<number> {
  const checks: Check[] = [];
  let config: Config;
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(flags);
    config = loaded.config;
    checks.push({ ok: true, line: `config: valid (${loaded.file ?? "embedded defaults"})` });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push({ ok: false, line: `config: ${error.message}` });
    return report(checks);
  }

  const db = await inspectDatabase(config.database.url);
  // A SQLite URL is a file path; a PostgreSQL URL may carry a password.
  const url = db.dialect === "sqlite" ? config.database.url : redactUrl(config.database.url);
  const where = `${db.dialect} (${url})`;
  checks.push(
    db.reachable
      ? { ok: true, line: `database: reachable, ${where}` }
      : { ok: false, line: `database: unreachable, ${where}: ${redactUrlsIn(db.error ?? "no answer")}` },
  );
  if (db.reachable) {
    const at = Math.max(0, ...db.applied);
    const missing = db.latest - at;
    checks.push(
      missing <= 0
        ? { ok: true, line: `migrations: current (version ${db.latest})` }
        : at === 0
          ? // A new database: whatever opens it first (serve, migrate) makes its tables.
            {
              ok: true,
              line: "migrations: a new database, made on the first `switchyard serve` or `switchyard migrate`",
            }
          : {
              ok: "warn",
              line: `migrations: ${missing} pending (at ${at}, latest ${db.latest}): \`switchyard serve\` applies them as it starts, or run \`switchyard migrate\` first`,
            },
    );
    if (db.databaseNow !== undefined) {
      const skew = Date.now() - db.databaseNow;
      checks.push({
        ok: Math.abs(skew) <= MAX_SKEW_MS,
        line: `clock: ${Math.abs(skew)} ms ${skew >= 0 ? "ahead of" : "behind"} the database (limit ${MAX_SKEW_MS} ms)`,
      });
    }
  }

  const stored = readCredentials(dataDirOf(config));
  const credentialsFile = join(dataDirOf(config), "credentials.json");
  const unsigned = config.sources.filter((s) => s.secrets.length === 0).map((s) => s.slug);
  checks.push(
    config.sources.length === 0 && loaded.file === null
      ? {
          ok: true,
          line: stored.vercelSecret
            ? `secrets: source vercel signed with the webhook secret kept in ${credentialsFile}`
            : "secrets: `switchyard serve` makes source vercel and its webhook secret on first start",
        }
      : config.sources.length === 0
        ? {
            ok: "warn",
            line: "secrets: no sources configured: nothing can be received; add one under sources:",
          }
        : unsigned.length > 0
          ? {
              ok: "warn",
              line: `secrets: sources accepting unsigned requests (insecure): ${unsigned.join(", ")}`,
            }
          : {
              ok: true,
              line: `secrets: every source has a secret (${config.sources.map((s) => `${s.slug}: ${s.secrets.length}`).join(", ")})`,
            },
  );
  checks.push(
    config.adminToken
      ? { ok: true, line: "admin token: set" }
      : {
          ok: true,
          line: stored.adminToken
            ? `admin token: the one generated on first start, kept in ${credentialsFile}`
            : "admin token: `switchyard serve` generates one on first start and keeps it in the data folder",
        },
  );
  if (config.integration) checks.push(...integrationChecks(config.integration));
  const open = config.destinations
    .filter((d) => d.allowPrivateNetwork ?? config.delivery.allowPrivateNetworks)
    .map((d) => d.slug);
  checks.push(
    open.length === 0
      ? { ok: true, line: "ssrf: deliveries to private, loopback and metadata addresses are refused" }
      : { ok: "warn", line: `ssrf: private networks allowed for ${open.join(", ")}` },
  );
  for (const d of config.destinations) {
    if (d.allowPrivateNetwork ?? config.delivery.allowPrivateNetworks) continue;
    const blocked = await alwaysBlocked(d.url);
    if (blocked)
      checks.push({
        ok: "warn",
        line: `ssrf: destination ${d.slug} (${redactUrl(d.url)}) is at ${blocked}, which the SSRF guard refuses: every delivery to it will fail with ssrf_blocked. If it is yours, set allowPrivateNetwork: true on it (or delivery.allowPrivateNetworks: true)`,
      });
  }
  return report(checks);
}

/** The integration's public URL checked, and the four URLs to paste into Vercel's Integration Console. */
function integrationChecks(integration: IntegrationConfig): Check[] {
  const problem = publicUrlProblem(integration.publicUrl);
  const urls = integrationUrls(integration.publicUrl);
  return [
    problem
      ? {
          ok: problem.fatal ? false : "warn",
          line: `integration: publicUrl ${integration.publicUrl}: ${problem.message}`,
        }
      : { ok: true, line: `integration: ${integration.slug}, public at ${integration.publicUrl}` },
    { ok: true, line: `integration: Redirect URL       ${urls.redirectUrl}` },
    { ok: true, line: `integration: Configuration URL  ${urls.configurationUrl}` },
    { ok: true, line: `integration: Webhook URL        ${urls.webhookUrl}` },
    { ok: true, line: `integration: install link       ${urls.installUrl}` },
  ];
}

/**
 * The private address a destination's URL always reaches, or null: a literal private IP, a
 * `localhost` name, or a name whose every address is private. A name that does not resolve here is
 * left alone (it may resolve where Switchyard runs).
 */
async function alwaysBlocked(url: string): Promise<string | null> {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  const literal = ipLiteral(hostname);
  if (literal !== undefined) return isBlockedAddress(literal) ? literal : null;
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return hostname;
  try {
    const addresses = await lookup(hostname, { all: true });
    return addresses.length > 0 && addresses.every((a) => isBlockedAddress(a.address))
      ? `${hostname} (${addresses.map((a) => a.address).join(", ")})`
      : null;
  } catch {
    return null;
  }
}

function report(checks: Check[]): number {
  for (const c of checks)
    process.stdout.write(`${c.ok === true ? "ok  " : c.ok === "warn" ? "warn" : "FAIL"}  ${c.line}\n`);
  return checks.some((c) => c.ok === false) ? 1 : 0;
}
