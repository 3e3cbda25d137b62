import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { checkCommandsFor } from "./actions/check-commands.js";
import { actionCommandsFor } from "./actions/commands.js";
import { actionRunnerFor } from "./actions/compose.js";
import type { Repeat } from "./actions/lease-watch.js";
import type { ActionRunner } from "./actions/runner.js";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./core/clock.js";
import { GroupCommitter } from "./core/group-commit.js";
import { SecretBox } from "./core/secret-box.js";
import type { IncomingEvent, IngestResult } from "./core/types.js";
import { destinationOf } from "./delivery/destinations.js";
import type { HandOff } from "./delivery/hand-off.js";
import { DeliveryClient } from "./delivery/http-client.js";
import { Maintenance } from "./delivery/maintenance.js";
import { logDeliveryOutcomes } from "./delivery/outcome-log.js";
import { DeliveryWorker, type WorkerOptions } from "./delivery/worker.js";
import type { AppContext } from "./http/context.js";
import { type ListenAddress, listenAddress } from "./http/listen-address.js";
import { createHttpServer } from "./http/server.js";
import { Ingestor } from "./ingest/ingest.js";
import { VercelApi } from "./integration/vercel-api.js";
import { integrationWebhook } from "./integration/webhook.js";
import { Metrics } from "./metrics.js";
import { EventStreams, Operations, type StreamSettings } from "./operations/index.js";
import { declaredRuns } from "./operations/run-settings.js";
import { configRouteIssues, DeliveryPlanner } from "./routing/planner.js";
import { openStore } from "./storage/open.js";
import { type Store, StoreUnavailableError } from "./storage/port.js";
import { fromConfig, type RouteEntry } from "./topology/entries.js";
import { LiveTopology } from "./topology/live.js";
import { TopologySnapshot } from "./topology/snapshot.js";
import { StoreTopologyRecords } from "./topology/store-records.js";
import { Transformer } from "./transform/apply.js";
import { VERSION } from "./version.js";

/** A running Switchyard: its server, its store, its worker, and how to stop them. */
export interface RunningApp {
  server: Server;
  store: Store;
  worker: DeliveryWorker;
  maintenance: Maintenance;
  /** Runs deployment integration actions, when Switchyard is an integration. */
  actions: ActionRunner | null;
  /** The sources, destinations and routes in force, followed as they change. */
  topology: LiveTopology;
  /** The live event streams (`GET /api/v1/events/stream`). */
  eventStreams: EventStreams;
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
  /** How the action runner renews a working run's lease over time (a test ticks it by hand). */
  actionLeaseRepeat?: Repeat;
  /** The live event streams' timings and bounds. */
  streams?: Partial<StreamSettings>;
  /** The most events one search of the events list examines (default 20,000). */
  searchScanLimit?: number;
};

/** What one Switchyard process does. Every role serves /healthz, /readyz and /metrics. */
export type Role = "all" | "ingest" | "worker";

/** Every part of a Switchyard process, built and wired, before it listens or delivers. */
export interface ComposedApp {
  context: AppContext;
  worker: DeliveryWorker;
  maintenance: Maintenance;
  /** Runs deployment integration actions, when Switchyard is an integration. */
  actions: ActionRunner | null;
  /** Releases what `composeApp` opened (the worker must be stopped first if it was started). */
  close(): Promise<void>;
}

/**
 * Builds a Switchyard process: checks the config's routes, opens the store, loads the topology
 * (the config file's items and the store's), and wires ingest, delivery and the use cases to it.
 * `config.adminToken` and `config.encryptionKey` must be set (see ensureCredentials).
 */
export async function composeApp(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  { role = "all", actionLeaseRepeat, streams, searchScanLimit, ...options }: AppOptions = {},
): Promise<ComposedApp> {
  const { adminToken, encryptionKey } = config;
  if (!adminToken) throw new Error("startApp needs config.adminToken (see ensureCredentials)");
  if (!encryptionKey) throw new Error("startApp needs config.encryptionKey (see ensureCredentials)");
  const secrets = SecretBox.fromText(encryptionKey);
  const fromFile = fromConfig(config);
  const issues = configRouteIssues(new TopologySnapshot(0, fromFile));
  if (issues) throw issues;
  const metrics = new Metrics();
  const transforms = await Transformer.create(config.routes, config.transforms, {
    onSandboxDeath: ({ reason, message }) => {
      logger.warn({ reason, error: message }, "the transform sandbox process was restarted");
      metrics.sandboxRestarts.inc({ reason });
    },
  });
  let store: Store;
  try {
    store = await openStore(config.database.url);
  } catch (error) {
    await transforms.close();
    throw error;
  }
  const release = async () => {
    await transforms.close();
    await store.close();
  };
  if (role !== "all" && !store.capabilities.multiNode) {
    await release();
    throw new Error(
      `--role ${role} needs a store several processes can share (PostgreSQL); SQLite serves one process`,
    );
  }
  let topology: LiveTopology;
  try {
    topology = await LiveTopology.open(fromFile, new StoreTopologyRecords(store, secrets, logger), {
      logger,
      // One process on the store: its own changes take effect as they are made, nothing to poll.
      pollMs: store.capabilities.multiNode ? 1000 : null,
    });
  } catch (error) {
    await release();
    throw error;
  }
  for (const route of topology.current.definition.routes) {
    if (route.managedBy === "api") await defineRoute(transforms, route, logger);
  }
  const planner = new DeliveryPlanner(topology);
  const client = new DeliveryClient();
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const worker = new DeliveryWorker({
    store,
    client,
    planner,
    destinations: topology.current.destinations.map((d) => destinationOf(d.config, d.tenant)),
    clock,
    logger,
    owner,
    userAgent: `Switchyard/${VERSION}`,
    allowPrivateNetworks: config.delivery.allowPrivateNetworks,
    concurrency: config.delivery.concurrency,
    transforms,
    ...options,
  });
  followTopology(topology, transforms, worker, logger);
  const eventStreams = new EventStreams(store, logger, streams);
  const committer = new GroupCommitter<IncomingEvent, IngestResult>(
    ingestFlush(store, worker, eventStreams),
    {
      maxInFlight: store.capabilities.ingestCommitsInFlight,
      // Measured on PostgreSQL at full load (BENCHMARKS.md): 8 saved little; 32, 64 and one flush
      // at a time did no better than 16.
      minBatchBeside: 16,
    },
  );
  const ingestor = new Ingestor(
    topology,
    // An event that failed alone rejects with its own error (ingestFlush).
    (event) => committer.submit(event),
    clock,
    config.limits.maxBodyBytes,
    (tenant, subject, receivedAt) => planner.plan(tenant, subject, receivedAt),
  );
  metrics.observeWorker(worker);
  logDeliveryOutcomes(worker, logger);
  metrics.observeQueue(store, worker, () => topology.current.destinations, clock);
  const maintenance = new Maintenance(store, clock, logger, config.retention);
  const vercel = config.integration ? new VercelApi({ apiUrl: config.integration.vercel.apiUrl }) : null;
  const operations = new Operations({
    store,
    topology,
    planner,
    transforms,
    delivery: worker,
    clock,
    secrets,
    vercel,
    integration: config.integration ?? null,
    allowPrivateNetworks: config.delivery.allowPrivateNetworks,
    eventStreams,
    declaredRuns: declaredRuns(config.actions, config.checks),
    logger,
  });
  if (searchScanLimit !== undefined) operations.deliveries.searchScanLimit = searchScanLimit;
  const actions = actionRunnerFor(config, {
    store,
    vercel,
    secrets,
    clock,
    logger,
    owner,
    ...(actionLeaseRepeat ? { leaseRepeat: actionLeaseRepeat } : {}),
  });
  const checksOf = checkCommandsFor(config.checks);
  const integrationWebhookSource = config.integration
    ? integrationWebhook(config.integration, store, clock, {
        onRemoved: async () => {
          await topology.refresh();
        },
        onUnclaimed: () => metrics.integrationUnclaimed.inc(),
        ...(actions
          ? {
              actionsOf: (type: string, body: unknown, tenant: string, receivedAt: number) => [
                ...actionCommandsFor(type, body, tenant, receivedAt),
                ...checksOf(type, body, tenant, receivedAt),
              ],
              onActions: () => actions.notify(),
            }
          : {}),
      })
    : null;
  const context: AppContext = {
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
    topology,
    operations,
    integrationWebhook: integrationWebhookSource,
  };
  return {
    context,
    worker,
    maintenance,
    actions,
    async close() {
      await eventStreams.close();
      await actions?.close();
      await topology.close();
      await client.close();
      await release();
    },
  };
}

/** Opens the store, builds ingest and delivery, and starts listening. `config.adminToken` must be set. */
export async function startApp(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  options: AppOptions = {},
): Promise<RunningApp> {
  const role = options.role ?? "all";
  const app = await composeApp(config, logger, clock, options);
  const { worker, maintenance, context, actions } = app;
  if (role !== "ingest") {
    await worker.start();
    maintenance.start();
    actions?.start();
  }
  const server = createHttpServer(context, role !== "worker");
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
    store: context.store,
    worker,
    maintenance,
    actions,
    topology: context.topology,
    eventStreams: context.operations.eventStreams,
    url: listen.url,
    listen,
    close() {
      closing ??= (async () => {
        // Streams never end by themselves: ended first, so the server's close does not wait on them.
        await context.operations.eventStreams.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await maintenance.stop();
        await worker.stop();
        await app.close();
      })();
      return closing;
    },
  };
}

/** Compiles a run-time route's code; one that no longer compiles is logged, and its deliveries fail with why. */
async function defineRoute(transforms: Transformer, route: RouteEntry, logger: Logger): Promise<void> {
  try {
    await transforms.define(route.tenant, route.config);
  } catch (error) {
    logger.error(
      { tenant: route.tenant, route: route.config.slug, error: (error as Error).message },
      "a route's transform does not compile",
    );
  }
}

/**
 * Keeps delivery in step with the topology: a new or changed route's code is compiled and a new
 * or changed destination's lane is ready before the change is in force; a removed destination's
 * lane and a removed route's code go once it is.
 */
function followTopology(
  topology: LiveTopology,
  transforms: Transformer,
  worker: DeliveryWorker,
  logger: Logger,
) {
  topology.prepare(async (change) => {
    for (const route of [...change.routes.added, ...change.routes.changed])
      await defineRoute(transforms, route, logger);
    for (const d of change.destinations.added) await worker.addDestination(destinationOf(d.config, d.tenant));
    for (const d of change.destinations.changed) worker.updateDestination(destinationOf(d.config, d.tenant));
  });
  topology.on("change", (change) => {
    for (const d of change.destinations.removed) worker.removeDestination(d.tenant, d.config.slug);
    for (const r of change.routes.removed) {
      transforms
        .forget(r.tenant, r.config.slug)
        .catch((error: Error) =>
          logger.warn(
            { tenant: r.tenant, route: r.config.slug, error: error.message },
            "could not drop a route's code",
          ),
        );
    }
  });
}

/**
 * The ingest group commit's flush: stores a batch of events in one commit and, where the store
 * allows a hand-off, hands their due deliveries to the worker; wakes the event streams. A batch the store refuses for
 * another reason than being unavailable (one event the database will not take) is stored again
 * event by event, each alone, so only the event that really fails gets its error and the others
 * are stored and answered.
 */
function ingestFlush(store: Store, worker: DeliveryWorker, streams: EventStreams) {
  const handOff: HandOff | null = worker.handOff;
  const commit = async (events: readonly IncomingEvent[]): Promise<IngestResult[]> => {
    // Due deliveries the worker may start now go in leased to it and are sent from memory.
    const taken = handOff?.reserve(events) ?? [];
    let results: IngestResult[];
    try {
      results = await store.insertEvents(events);
    } catch (error) {
      handOff?.dispatch(taken, () => false);
      // Not stored: the next try of these events reserves afresh.
      for (const { delivery } of taken) delete delivery.lease;
      throw error;
    }
    const stored = new Set(events.filter((_, i) => results[i]?.duplicate === false));
    handOff?.dispatch(taken, (e) => stored.has(e));
    // Deliveries that went in unleased wait for a claim: their destinations have a backlog.
    const waiting = new Map<string, Set<string>>();
    for (const e of stored) {
      for (const d of e.deliveries) {
        if (d.lease !== undefined) continue;
        const slugs = waiting.get(e.tenant) ?? new Set<string>();
        slugs.add(d.destination);
        waiting.set(e.tenant, slugs);
      }
    }
    for (const [tenant, slugs] of waiting) worker.notify(slugs, tenant);
    if (stored.size > 0) streams.wake();
    return results;
  };
  return async (events: IncomingEvent[]): Promise<(IngestResult | Error)[]> => {
    try {
      return await commit(events);
    } catch (error) {
      if (events.length === 1 || error instanceof StoreUnavailableError) throw error;
    }
    // Started together: on SQLite they share one write group (a savepoint each), on PostgreSQL
    // the pool's connections.
    const alone = await Promise.allSettled(events.map((e) => commit([e])));
    return alone.map((r) => (r.status === "fulfilled" ? (r.value[0] as IngestResult) : asError(r.reason)));
  };
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
