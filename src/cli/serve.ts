import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { type Role, type RunningApp, startApp } from "../app.js";
import type { Provisioned } from "../config/credentials.js";
import { type ConfigFlags, loadConfig } from "../config/load.js";
import { systemClock } from "../core/clock.js";
import { redactUrlsIn } from "../core/redact-url.js";
import { describeListenAddress, type ListenAddress } from "../http/listen-address.js";
import { createLogger, logDestination } from "../log.js";
import { tuneGarbageCollector } from "../node-flags.js";
import { sqlitePathOf } from "../storage/open.js";
import { StoreUnavailableError } from "../storage/port.js";
import { provisionConfig } from "./provision.js";
import { stopOnSignals } from "./stop-on-signals.js";

/** `switchyard serve`: loads the config, provisions dev credentials when needed, and runs until SIGTERM/SIGINT. */
export async function serve(flags: ConfigFlags & { role?: Role; waitForDatabase?: number }): Promise<void> {
  tuneGarbageCollector();
  const loaded = loadConfig(flags);
  const logger = createLogger(loaded.config.log.level, logDestination(loaded.config.log.format));
  const provisioned = provisionConfig(loaded.config, loaded.file, logger);
  const config = provisioned.config;
  const sqlite = sqlitePathOf(config.database.url);
  const app = await waitingForDatabase(
    () => startApp(config, logger, systemClock, { role: flags.role ?? "all" }),
    logger,
    // A SQLite file is no server that may be starting: whatever keeps it from opening stays.
    sqlite ? 0 : (flags.waitForDatabase ?? 60_000),
  );
  // Before anything says it is ready: whoever waits for that may stop the process at once.
  stopOnSignals(logger, () => app.close());
  // The welcome comes first, so whoever waits for the "listening" line has seen it too.
  printWelcome(app.listen, provisioned);
  logger.info(
    {
      address: app.listen.address,
      reach: app.listen.reach,
      url: app.url,
      config: loaded.file ?? "(embedded defaults)",
      store: app.store.capabilities.dialect,
      role: flags.role ?? "all",
      sources: config.sources.map((s) => s.slug),
    },
    "switchyard listening",
  );
}

/**
 * Starts the app, trying again while the database cannot be reached (a node started beside a
 * database that is starting or restarting), for up to `waitMs`; any other error fails at once.
 */
async function waitingForDatabase(start: () => Promise<RunningApp>, logger: Logger, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() + delayMs > deadline) throw error;
      logger.warn(
        { reason: redactUrlsIn(error.message), retryInMs: delayMs },
        "database unavailable at start-up, trying again",
      );
      await delay(delayMs);
    }
  }
}

/** Tells a newcomer, once, where to send events and with which credentials (never through the logger). */
function printWelcome(listen: ListenAddress, p: Provisioned): void {
  const url = listen.url;
  // Vercel reaches this machine by a name or address of its own (or a tunnel), not by loopback.
  const reachable = listen.reach === "all" ? `http://<this machine>:${listen.port}` : url;
  const lines = [
    "",
    "Switchyard is running.",
    `  Listening on:             ${describeListenAddress(listen)}`,
    `  Console:                  ${url}/`,
  ];
  const sources = p.config.sources;
  if (p.devSource) {
    lines.push(
      `  Send Vercel webhooks to:  ${reachable}/ingest/vercel`,
      `  Webhook secret:           ${sources[0]?.secrets[0] ?? ""}`,
    );
  } else {
    for (const [i, s] of sources.entries())
      lines.push(
        `  ${i === 0 ? "Ingest URLs:" : "".padEnd(12)}              ${reachable}/ingest/${s.slug} (${s.kind})`,
      );
  }
  if (p.generatedAdminToken) {
    lines.push(
      `  Admin token:              ${p.config.adminToken}`,
      `  (kept in ${p.credentialsFile}, readable only by you)`,
      "",
      "Try it:",
      "  npx switchyard trigger deployment.created",
      `  curl -H "Authorization: Bearer ${p.config.adminToken}" ${url}/api/v1/events`,
    );
  }
  lines.push("");
  process.stdout.write(`${lines.join("\n")}\n`);
}
