import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./core/clock.js";
import type { IncomingEvent, IngestResult } from "./core/types.js";
import type { AppContext } from "./http/context.js";
import { createHttpServer } from "./http/server.js";
import { GroupCommitter } from "./ingest/group-commit.js";
import { Ingestor } from "./ingest/ingest.js";
import { openStore } from "./storage/open.js";
import type { Store } from "./storage/port.js";

/** A running Switchyard: its server, its store, and how to stop it. */
export interface RunningApp {
  server: Server;
  store: Store;
  url: string;
  /** Stops accepting, lets in-flight requests finish and commit, then closes the store. */
  close(): Promise<void>;
}

/** Opens the store, builds the ingest pipeline and starts listening. `config.adminToken` must be set. */
export async function startApp(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<RunningApp> {
  const adminToken = config.adminToken;
  if (!adminToken) throw new Error("startApp needs config.adminToken (see ensureCredentials)");
  const store = await openStore(config.database.url);
  const committer = new GroupCommitter<IncomingEvent, IngestResult>((events) => store.insertEvents(events));
  const ingestor = new Ingestor(
    config.sources,
    (event) => committer.submit(event),
    clock,
    config.limits.maxBodyBytes,
  );
  const ctx: AppContext = { config, store, ingestor, logger, adminToken };
  const server = createHttpServer(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
  let closing: Promise<void> | null = null;
  return {
    server,
    store,
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
