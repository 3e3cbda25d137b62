import type { Hono } from "hono";
import { validateConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/clock.js";
import { systemClock } from "../../src/core/clock.js";
import { destinationOf } from "../../src/delivery/destinations.js";
import { DeliveryClient } from "../../src/delivery/http-client.js";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import type { ApiDeps, ApiEnv } from "../../src/http/api-env.js";
import { createApiApp } from "../../src/http/app.js";
import { createLogger } from "../../src/log.js";
import { Metrics } from "../../src/metrics.js";
import { DeliveryPlanner } from "../../src/routing/planner.js";
import { openStore } from "../../src/storage/open.js";
import { Transformer } from "../../src/transform/apply.js";
import { ADMIN_TOKEN, dropSchema, schemaFor, TEST_POSTGRES_URL, TEST_STORE, tempDir } from "./app.js";

/** The API app on a real store (a temp SQLite file, or a PostgreSQL schema), called without a socket. */
export interface ApiTestApp {
  app: Hono<ApiEnv>;
  deps: ApiDeps;
  /** Calls the app with the admin token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Builds the API app as `startApp` does, minus ingest, the listening socket and the running worker. */
export async function apiTestApp(
  overrides: Record<string, unknown> = {},
  { clock = systemClock, serveApi = true }: { clock?: Clock; serveApi?: boolean } = {},
): Promise<ApiTestApp> {
  const temp = tempDir();
  const schema = schemaFor(temp.dir);
  const url =
    TEST_STORE === "postgres" ? `${TEST_POSTGRES_URL}?schema=${schema}` : `sqlite:${temp.dir}/switchyard.db`;
  const config = validateConfig({
    database: { url },
    adminToken: ADMIN_TOKEN,
    log: { level: "silent" },
    sources: [{ slug: "vercel", kind: "vercel", secrets: ["s"] }],
    ...overrides,
  });
  const logger = createLogger("silent");
  const store = await openStore(url);
  const planner = new DeliveryPlanner(config.routes, config.destinations);
  const transforms = await Transformer.create(config.routes, config.transforms);
  const client = new DeliveryClient();
  const worker = new DeliveryWorker({
    store,
    client,
    planner,
    destinations: config.destinations.map((d) => destinationOf(d)),
    clock,
    logger,
    owner: "api-test",
    userAgent: "Switchyard/test",
    allowPrivateNetworks: false,
    concurrency: 1,
    transforms,
  });
  const deps: ApiDeps = {
    config,
    store,
    logger,
    adminToken: ADMIN_TOKEN,
    planner,
    worker,
    clock,
    metrics: new Metrics(),
    transforms,
  };
  const app = createApiApp(deps, serveApi);
  return {
    app,
    deps,
    call: (path, init = {}) =>
      Promise.resolve(
        app.request(path, {
          ...init,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string>) },
        }),
      ),
    async close() {
      await client.close();
      await transforms.close();
      await store.close();
      if (TEST_STORE === "postgres") await dropSchema(schema);
      temp.cleanup();
    },
  };
}
