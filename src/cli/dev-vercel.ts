import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { startApp } from "../app.js";
import { loadConfig, validateConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { FakeVercel } from "../dev/fake-vercel.js";
import { integrationUrls } from "../integration/urls.js";
import { createLogger, logDestination } from "../log.js";
import { provisionConfig } from "./provision.js";
import { stopOnSignals } from "./stop-on-signals.js";

/** The options of `switchyard dev vercel`. */
export interface DevVercelOptions {
  /** Switchyard's port on 127.0.0.1; 0 for any free one. */
  port: number;
  /** The fake vercel.com's and api.vercel.com's ports; 0 for any free one. */
  sitePort: number;
  apiPort: number;
  /** Where Switchyard keeps its SQLite file and credentials. */
  dataDir: string;
  /** A config file for everything the command does not set itself. */
  config?: string | undefined;
}

const LOOPBACK = "127.0.0.1";

/** A team the fake's user belongs to, with a few projects in it and in the personal account. */
const TEAM = { id: "team_fake1", name: "Fake Team" };
const TEAM_PROJECTS = ["storefront", "docs", "api"];
const PERSONAL_PROJECTS = ["my-site", "blog"];

/**
 * `switchyard dev vercel`: a fake Vercel (site and API) and Switchyard as its integration, in one
 * process on loopback, so an install can be clicked through without a Vercel account. Runs until
 * SIGTERM or Ctrl-C, which close both.
 */
export async function devVercelCommand(options: DevVercelOptions): Promise<void> {
  // The public URL names the port, and the fake's Redirect URL names the public URL: the port is
  // needed before Switchyard listens.
  const port = options.port === 0 ? await freeLoopbackPort() : options.port;
  const publicUrl = `http://${LOOPBACK}:${port}`;
  const urls = integrationUrls(publicUrl);
  const loaded = options.config
    ? loadConfig({ config: options.config, port, host: LOOPBACK })
    : { config: validateConfig({ server: { port, host: LOOPBACK } }), file: null };
  const logger = createLogger(loaded.config.log.level, logDestination(loaded.config.log.format));
  const fake = await FakeVercel.start({
    slug: loaded.config.integration?.slug ?? "switchyard",
    // New per run: the fake forgets its installations when it stops, so nothing outlives it.
    clientId: `oac_${randomBytes(12).toString("hex")}`,
    clientSecret: randomBytes(24).toString("hex"),
    redirectUri: urls.redirectUrl,
    confirm: true,
    teams: [TEAM],
    webhookUrl: urls.webhookUrl,
    configurationUrl: urls.configurationUrl,
    sitePort: options.sitePort,
    apiPort: options.apiPort,
  });
  fake.setProjects(TEAM.id, TEAM_PROJECTS);
  fake.setProjects(null, PERSONAL_PROJECTS);
  const dataDir = resolve(options.dataDir);
  let app: Awaited<ReturnType<typeof startApp>>;
  let credentialsFile: string;
  try {
    const config = devConfig(loaded.config, fake, publicUrl, dataDir);
    const provisioned = provisionConfig(config, loaded.file, logger);
    credentialsFile = provisioned.credentialsFile;
    // What is tried here is the integration: no stand-alone `vercel` source beside it.
    app = await startApp({ ...provisioned.config, sources: config.sources }, logger);
  } catch (error) {
    await fake.close();
    throw error;
  }
  const lines = [
    "",
    "Switchyard is running as a Vercel integration, beside a fake Vercel (no Vercel account needed).",
    "",
    `  Install the integration:  ${urls.installUrl}`,
    `  Fake Vercel dashboard:    ${fake.siteUrl}/`,
    "",
    "The integration's URLs, as Vercel's Integration Console would hold them:",
    `  Redirect URL:             ${urls.redirectUrl}`,
    `  Configuration URL:        ${urls.configurationUrl}`,
    `  Webhook URL:              ${urls.webhookUrl}`,
    `  Install link:             ${urls.installUrl}`,
    "",
    `  Fake Vercel API:          ${fake.apiUrl}`,
    `  Data:                     ${dataDir} (admin token in ${credentialsFile})`,
    "  The fake forgets its installations when it stops; Switchyard's store keeps its own.",
    "",
    "Press Ctrl-C to stop both.",
    "",
  ];
  // Before the banner: whoever waits for it may stop the process at once.
  stopOnSignals(logger, async () => {
    await app.close();
    await fake.close();
  });
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * The config Switchyard runs on here: the file's (or the defaults), on this machine only, with its
 * own SQLite store in the data folder (never the file's database: a trial must not write to a real
 * one), an integration that points at the fake, and delivery allowed to private addresses so that
 * an endpoint on this machine can be a destination.
 */
export function devConfig(base: Config, fake: FakeVercel, publicUrl: string, dataDir: string): Config {
  // Validated by the schema like any integration section, from the values the fake was made with.
  const { integration } = validateConfig({
    integration: {
      slug: fake.slug,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      publicUrl,
      vercel: { apiUrl: fake.apiUrl, siteUrl: fake.siteUrl },
    },
  });
  return {
    ...base,
    server: { ...base.server, host: LOOPBACK },
    database: { url: `sqlite:${resolve(dataDir, "switchyard.db")}` },
    integration,
    delivery: { ...base.delivery, allowPrivateNetworks: true },
  };
}

/** A port free on loopback now, chosen by the kernel. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, LOOPBACK);
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
