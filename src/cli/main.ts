#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../core/config-error.js";
import { parseDuration } from "../core/duration.js";
import { redactUrlsIn } from "../core/redact-url.js";
import { VERSION } from "../version.js";
import { catalogCommand } from "./catalog.js";
import { devVercelCommand } from "./dev-vercel.js";
import { doctorCommand } from "./doctor.js";
import { CliError, EXIT } from "./exit-codes.js";
import { listenCommand } from "./listen.js";
import { migrateCommand } from "./migrate.js";
import { purgeCommand } from "./purge.js";
import { deliveriesListCommand, eventsGetCommand, eventsListCommand } from "./records.js";
import { replayCommand } from "./replay.js";
import { routeTestCommand } from "./route.js";
import { serve } from "./serve.js";
import { signCommand } from "./sign.js";
import { tailCommand } from "./tail.js";
import { triggerCommand } from "./trigger.js";

function waitDuration(value: string): number {
  const ms = value === "0" ? 0 : parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError("expected a duration such as 30s or 2m, or 0");
  return ms;
}

/** The options of a command that talks to a running server: where it is and how to log in. */
function addServerOptions(command: Command): Command {
  return command
    .option("--url <url>", "the server's base URL (default: the local config's)")
    .option("--token <token>", "admin token (default: SWITCHYARD_ADMIN_TOKEN or the local credentials)")
    .option("-c, --config <path>", "YAML config file");
}

/** Adds examples to a command's `--help`: every command shows at least one. */
function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText(
    "after",
    `\n${lines.length > 1 ? "Examples" : "Example"}:\n${lines.map((l) => `  ${l}`).join("\n")}`,
  );
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError("expected a port number");
  return n;
}

const program = new Command("switchyard")
  .description("Self-hosted gateway for Vercel webhooks and integrations")
  .version(VERSION, "-V, --version", "print the version")
  .showSuggestionAfterError(true)
  // A usage error (unknown command or option, missing argument) is "could not run"; help is 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.couldNotRun));

examples(
  program,
  "switchyard                  # serve on 127.0.0.1:8787 with ./switchyard.yaml, or embedded defaults",
  "switchyard trigger deployment.created",
  "switchyard listen --forward-to http://localhost:3000/api/webhooks",
);

const serveCommand = program
  .command("serve")
  .description("run the gateway (what `switchyard` alone does)")
  .option("-c, --config <path>", "YAML config file (default: ./switchyard.yaml, or SWITCHYARD_CONFIG)")
  .option("-p, --port <port>", "port to listen on (overrides PORT)", port)
  .option("--host <host>", "address to listen on (overrides HOST)")
  .addOption(
    new Option("--role <role>", "ingest (HTTP ingest and API), worker (delivery and maintenance) or all")
      .choices(["all", "ingest", "worker"])
      .default("all"),
  )
  .option(
    "--wait-for-database <duration>",
    "how long to keep trying while PostgreSQL cannot be reached at start-up (0: fail at once; SQLite never waits)",
    waitDuration,
    60_000,
  )
  .action((options) => serve(options));
examples(
  serveCommand,
  "switchyard serve --config switchyard.yaml --port 8787",
  "DATABASE_URL=postgres://sy@db/switchyard switchyard serve --role worker",
);

examples(
  program
    .command("migrate")
    .description("apply pending database migrations")
    .option("-c, --config <path>", "YAML config file")
    .action((options) => migrateCommand(options)),
  "DATABASE_URL=postgres://sy@db/switchyard switchyard migrate",
);

examples(
  program
    .command("catalog")
    .description("list every Vercel event type with its category and description")
    .option("--json", "print JSON")
    .action((options) => catalogCommand(options)),
  "switchyard catalog --json | jq -r '.[].type'",
);

examples(
  program
    .command("sign")
    .description("print the x-vercel-signature of a file's exact bytes (stdin when no file)")
    .argument("[file]")
    .requiredOption("-s, --secret <secret>", "the webhook secret")
    .action((file: string | undefined, options: { secret: string }) => signCommand(file, options.secret)),
  'switchyard sign --secret "$VERCEL_WEBHOOK_SECRET" event.json',
);

program
  .command("trigger")
  .description("send a realistic, signed sample event of TYPE to a Switchyard ingest URL")
  .argument("<type>", "a catalog type, e.g. deployment.created (see `switchyard catalog`)")
  .option("--url <url>", "ingest URL (default: the local server's vercel source)")
  .option("--secret <secret>", "signing secret (default: the local server's)")
  .option("--set <path=value...>", "override a field, e.g. --set payload.target=production")
  .option("--print", "print the event that would be sent, and send nothing")
  .option("-c, --config <path>", "YAML config file")
  .addHelpText(
    "after",
    "\nExamples:\n  switchyard trigger deployment.error --set payload.target=production\n  switchyard trigger project.created --print",
  )
  .action(async (type: string, options) => {
    process.exitCode = await triggerCommand(type, options);
  });

const replay = program
  .command("replay")
  .description("put dead letters (or successes) back in the queue of a running server")
  .option("--status <status>", "failed or succeeded", "failed")
  .option("--since <when>", "only deliveries finished since then: a duration ago (1h) or an ISO time")
  .option("--until <when>", "only deliveries finished before then")
  .option("--destination <slug>", "only this destination")
  .option("--type <type>", "only this event type")
  .option("--all", "every one of that status (needed when no filter is given)")
  .option("--dry-run", "count, enqueue nothing");
examples(replay, "switchyard replay --status failed --since 1h --destination ops-hook --dry-run");
addServerOptions(replay).action(async (options) => {
  process.exitCode = await replayCommand(options);
});

const route = program.command("route").description("work with routes");
examples(route, "switchyard route test prod-failures --type deployment.error");
const routeTest = route
  .command("test")
  .description("ask the running server whether a route matches an event, and what its transform makes of it")
  .argument("<slug>", "a configured route")
  .option("--type <type>", "a sample event of this catalog type, e.g. deployment.error")
  .option("--event <file>", "a JSON event envelope from a file")
  .option("--source <slug>", "the source the event comes from (default: the route's first)")
  .option("--set <path=value...>", "change a field of the --type sample, e.g. --set payload.target=preview")
  .option("--json", "print the API's JSON answer")
  .addHelpText(
    "after",
    "\nExit codes: 0 matched, 1 did not match (or the transform failed), 2 could not ask.\nExample:\n  switchyard route test prod-failures --type deployment.error --set payload.target=preview",
  );
addServerOptions(routeTest).action(async (slug: string, options) => {
  process.exitCode = await routeTestCommand(slug, options);
});

const listen = program
  .command("listen")
  .description(
    "forward a running server's events to a local URL, signed with a local secret, resuming where the last run stopped",
  )
  .requiredOption("--forward-to <url>", "the local URL to POST each event to")
  .option("--types <glob>", "only events of these types, e.g. 'deployment.*'")
  .option("--source <slug>", "only events that came in through this source")
  .option("--tenant <tenant>", "the tenant whose events to follow", "default")
  .option("--from <start>", "where to start: an event id (included), a time (ISO 8601 or 1h ago), or now")
  .option("--secret <secret>", "sign with this secret (default: one made on first use and kept)");
addServerOptions(listen)
  .addHelpText(
    "after",
    "\nThe position (the last event forwarded) is kept per server, tenant and forward URL in\n$SWITCHYARD_STATE_DIR, $XDG_STATE_HOME/switchyard or ~/.local/state/switchyard. A forward\nthat fails is printed and passed (--from <its id> sends it again).\n\nExample:\n  switchyard listen --forward-to http://localhost:3000/api/webhooks --types 'deployment.*'",
  )
  .action(async (options) => {
    process.exitCode = await listenCommand(options);
  });

examples(
  program
    .command("doctor")
    .description("check the config, the database, migrations, secrets, SSRF settings and clock skew")
    .option("-c, --config <path>", "YAML config file")
    .action(async (options) => {
      process.exitCode = await doctorCommand(options);
    }),
  "switchyard doctor --config switchyard.yaml",
);

const tail = program
  .command("tail")
  .description(
    "print a running server's new events and their delivery outcomes as they happen, one line each",
  )
  .option("--types <glob>", "only events of these types, e.g. 'deployment.*'")
  .option("--source <slug>", "only events that came in through this source")
  .option("--tenant <tenant>", "the tenant whose events to follow", "default")
  .option("--json", "print NDJSON: one {kind: event|delivery, ...} object a line");
examples(
  addServerOptions(tail),
  "switchyard tail --types 'deployment.*'",
  "switchyard tail --json | jq -c 'select(.kind == \"delivery\")'",
).action(async (options) => {
  process.exitCode = await tailCommand(options);
});

/** The options of a command that reads a tenant's records from a running server. */
function addReadOptions(command: Command): Command {
  return addServerOptions(
    command
      .option("--tenant <tenant>", "the tenant whose records to read", "default")
      .option("--json", "print the API's JSON"),
  );
}

const events = program.command("events").description("read a running server's stored events");
examples(events, "switchyard events list --type 'deployment.*' --since 1h");
const eventsList = events
  .command("list")
  .description("the newest events, newest first")
  .option("--type <glob>", "only events of this type, or a glob such as 'deployment.*'")
  .option("--source <slug>", "only events that came in through this source")
  .option("--since <when>", "only events received since then: a duration ago (1h) or an ISO time")
  .option("--until <when>", "only events received before then")
  .option("--search <text>", "only events whose body holds this text (a bounded scan)")
  .option("--limit <n>", "how many (1-200)", "20");
examples(addReadOptions(eventsList), "switchyard events list --type 'deployment.*' --since 1h").action(
  (options) => eventsListCommand(options),
);
const eventsGet = events
  .command("get")
  .description("one event with its payload")
  .argument("<id>", "an event id (evt_…)")
  .option("--raw", "print the body's bytes exactly as received");
examples(
  addReadOptions(eventsGet),
  "switchyard events get evt_01KBHXW3J1Q6S7T8V9W0X1Y2Z3",
  "switchyard events get evt_01KBHXW3J1Q6S7T8V9W0X1Y2Z3 --raw | switchyard sign --secret s",
).action((id: string, options) => eventsGetCommand(id, options));

const deliveries = program.command("deliveries").description("read a running server's deliveries");
examples(deliveries, "switchyard deliveries list --status dead");
const deliveriesList = deliveries
  .command("list")
  .description("the newest deliveries, newest first")
  .addOption(
    new Option(
      "--status <status>",
      "only deliveries in this state (dead: the dead letters, as failed)",
    ).choices(["pending", "succeeded", "failed", "dead", "skipped"]),
  )
  .option("--destination <slug>", "only deliveries to this destination")
  .option("--event <id>", "only the deliveries of this event")
  .option("--limit <n>", "how many (1-200)", "20");
examples(
  addReadOptions(deliveriesList),
  "switchyard deliveries list --status dead --destination ops-hook",
).action((options) => deliveriesListCommand(options));

const tenants = program.command("tenants").description("manage the tenants of a running server");
examples(tenants, "switchyard tenants purge icfg_abc123 --yes");
const purge = tenants
  .command("purge")
  .description("delete a tenant and everything it owns (events, deliveries, items, runs), in one transaction")
  .argument("<tenant>", "the tenant's name, e.g. an installation's icfg_… id")
  .option("--yes", "really delete it (without: nothing is done)")
  .option("--json", "print the API's JSON answer");
examples(addServerOptions(purge), "switchyard tenants purge icfg_abc123 --yes").action(
  async (tenant: string, options) => {
    process.exitCode = await purgeCommand(tenant, options);
  },
);

const dev = program
  .command("dev")
  .description("run Switchyard beside stand-ins for what it works with, on this machine");
examples(dev, "switchyard dev vercel --port 8080");
const devVercel = dev
  .command("vercel")
  .description(
    "run Switchyard as a Vercel integration beside a fake Vercel, to click an install through without a Vercel account",
  )
  .option("-p, --port <port>", "Switchyard's port on 127.0.0.1 (0: any free port)", port, 8080)
  .option("--site-port <port>", "the fake vercel.com's port (default: any free port)", port, 0)
  .option("--api-port <port>", "the fake api.vercel.com's port (default: any free port)", port, 0)
  .option(
    "--data-dir <dir>",
    "where Switchyard keeps its SQLite file and credentials",
    ".switchyard/dev-vercel",
  )
  .option("-c, --config <path>", "YAML config file for the rest: destinations, routes, delivery, log level")
  .action((options) => devVercelCommand(options));
examples(devVercel, "switchyard dev vercel --port 8080 --config dev.yaml");

program.parseAsync(withDefaultCommand(process.argv)).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`switchyard: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`switchyard: ${redactUrlsIn(describe(error))}\n`);
  process.exit(1);
});

/** What went wrong, in words: never `[object Object]`, whatever was thrown. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === "string" && message) return message;
  if (typeof error === "object" && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      // a cycle: fall through
    }
  }
  return String(error);
}

/**
 * `switchyard` alone, or with serve's options only (`switchyard -p 9000`), serves. Not commander's
 * default command: that would take a mistyped command (`switchyard stauts`) as serve's argument
 * instead of saying it is unknown and suggesting the nearest.
 */
function withDefaultCommand(argv: string[]): string[] {
  const [node = "node", script = "switchyard", ...args] = argv;
  const first = args[0];
  const serveOnly =
    first === undefined || (first.startsWith("-") && !["-h", "--help", "-V", "--version"].includes(first));
  return serveOnly ? [node, script, "serve", ...args] : argv;
}
