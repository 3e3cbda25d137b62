import { loadConfig } from "../config/load.js";
import type { Config, IntegrationConfig } from "../config/schema.js";
import { ConfigError } from "../core/config-error.js";
import { redactUrl, redactUrlsIn } from "../core/redact-url.js";
import { integrationUrls, publicUrlProblem } from "../integration/urls.js";
import { inspectDatabase } from "../storage/backends.js";

type Check = { ok: boolean | "warn"; line: string };

const MAX_SKEW_MS = 2_000;

/** `switchyard doctor`: one line per check; exit status 1 when any fails. */
export async function doctorCommand(flags: { config?: string | undefined }): Promise<number> {
  const checks: Check[] = [];
  let config: Config;
  try {
    const loaded = loadConfig(flags);
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
    const missing = db.latest - Math.max(0, ...db.applied);
    checks.push(
      missing <= 0
        ? { ok: true, line: `migrations: current (version ${db.latest})` }
        : {
            ok: false,
            line: `migrations: ${missing} pending (at ${Math.max(0, ...db.applied)}, latest ${db.latest}); run \`switchyard migrate\``,
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

  const unsigned = config.sources.filter((s) => s.secrets.length === 0).map((s) => s.slug);
  checks.push(
    config.sources.length === 0
      ? { ok: "warn", line: "secrets: no sources configured (serve without a config file provisions one)" }
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
      : { ok: "warn", line: "admin token: not set; serve generates one and keeps it in the data folder" },
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

function report(checks: Check[]): number {
  for (const c of checks)
    process.stdout.write(`${c.ok === true ? "ok  " : c.ok === "warn" ? "warn" : "FAIL"}  ${c.line}\n`);
  return checks.some((c) => c.ok === false) ? 1 : 0;
}
