import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./core/clock.js";
import type { IncomingEvent, IngestResult } from "./core/types.js";
import { DeliveryClient } from "./delivery/http-client.js";
import { Maintenance } from "./delivery/maintenance.js";
import { DeliveryWorker, type WorkerOptions } from "./delivery/worker.js";
import type { AppContext } from "./http/context.js";
import { type ListenAddress, listenAddress } from "./http/listen-address.js";
import { createHttpServer } from "./http/server.js";
import { GroupCommitter } from "./ingest/group-commit.js";
import { Ingestor } from "./ingest/ingest.js";
import { Metrics } from "./metrics.js";
import { DeliveryPlanner } from "./routing/planner.js";
import { openStore } from "./storage/open.js";
import type { Store } from "./storage/port.js";
import { Transformer } from "./transform/apply.js";
import { VERSION } from "./version.js";

/** A running Switchyard: its server, its store, its worker, and how to stop them. */
export interface RunningApp {
  server: Server;
  store: Store;
  worker: DeliveryWorker;
  maintenance: Maintenance;
  /** A URL that reaches the server from this machine. */
  url: string;
  /** The address bound, and who can reach it. */
  listen: ListenAddress;
  /** Stops accepting, lets in-flight requests and attempts finish and commit, then closes the store. */
  close(): Promise<void>;
}

/** Worker settings a caller (a test) may override. */
export type AppOptions = Partial<Pick<WorkerOptions, "random" | "circuit" | "pollMs">> & {
  /** `ingest` serves ingest and the API; `worker` delivers and runs maintenance; `all` does both. */
  role?: Role;
};

/** What one Switchyard process does. Every role serves /healthz, /readyz and /metrics. */
export type Role = "all" | "ingest" | "worker";

/** Opens the store, builds ingest and delivery, and starts listening. `config.adminToken` must be set. */
export async function startApp(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  { role = "all", ...options }: AppOptions = {},
): Promise<RunningApp> {
  const adminToken = config.adminToken;
  if (!adminToken) throw new Error("startApp needs config.adminToken (see ensureCredentials)");
  const planner = new DeliveryPlanner(config.routes, config.destinations);
  const transforms = new Transformer(config.routes, config.transforms);
  let store: Store;
  try {
    store = await openStore(config.database.url);
  } catch (error) {
    transforms.close();
    throw error;
  }
  if (role !== "all" && !store.capabilities.multiNode) {
    transforms.close();
    await store.close();
    throw new Error(
      `--role ${role} needs a store several processes can share (PostgreSQL); SQLite serves one process`,
    );
  }
  const client = new DeliveryClient();
  const worker = new DeliveryWorker({
    store,
    client,
    planner,
    clock,
    logger,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    userAgent: `Switchyard/${VERSION}`,
    allowPrivateNetworks: config.delivery.allowPrivateNetworks,
    concurrency: config.delivery.concurrency,
    transforms,
    ...options,
  });
  const committer = new GroupCommitter<IncomingEvent, IngestResult>(
    async (events) => {
      // Due deliveries the worker may start now go in leased to it and are sent from memory.
      const taken = worker.reserve(events);
      let results: IngestResult[];
      try {
        results = await store.insertEvents(events);
      } catch (error) {
        worker.dispatch(taken, () => false);
        throw error;
      }
      const stored = new Set(events.filter((_, i) => results[i]?.duplicate === false));
      worker.dispatch(taken, (e) => stored.has(e));
      // Deliveries that went in unleased wait for a claim: their destinations have a backlog.
      const waiting = new Set<string>();
      for (const e of stored)
        for (const d of e.deliveries) if (d.lease === undefined) waiting.add(d.destination);
      if (waiting.size > 0) worker.notify(waiting);
      return results;
    },
    { maxInFlight: store.capabilities.ingestCommitsInFlight },
  );
  const ingestor = new Ingestor(
    config.sources,
    (event) => committer.submit(event),
    clock,
    config.limits.maxBodyBytes,
    (subject, receivedAt) => planner.plan(subject, receivedAt),
  );
  const metrics = new Metrics();
  metrics.observeWorker(worker);
  metrics.observeQueue(store, worker, [...planner.destinations.keys()], clock);
  const maintenance = new Maintenance(store, clock, logger, config.retention);
  if (role !== "ingest") {
    await worker.start();
    maintenance.start();
  }
  const ctx: AppContext = {
    config,
    store,
    ingestor,
    logger,
    adminToken,
    planner,
    worker,
    clock,
    metrics,
    transforms,
  };
  const server = createHttpServer(ctx, role !== "worker");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const listen = listenAddress(server.address() as AddressInfo);
  let closing: Promise<void> | null = null;
  return {
    server,
    store,
    worker,
    maintenance,
    url: listen.url,
    listen,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await maintenance.stop();
        await worker.stop();
        await client.close();
        transforms.close();
        await store.close();
      })();
      return closing;
    },
  };
}
