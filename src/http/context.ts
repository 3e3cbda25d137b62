import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { DeliveryWorker } from "../delivery/worker.js";
import type { Ingestor, SharedSource } from "../ingest/ingest.js";
import type { Metrics } from "../metrics.js";
import type { Operations } from "../operations/index.js";
import type { DeliveryPlanner } from "../routing/planner.js";
import type { Store } from "../storage/port.js";
import type { LiveTopology } from "../topology/live.js";
import type { Transformer } from "../transform/apply.js";

/** What the HTTP routes need from the running application. */
export interface AppContext {
  config: Config;
  store: Store;
  ingestor: Ingestor;
  logger: Logger;
  adminToken: string;
  planner: DeliveryPlanner;
  worker: DeliveryWorker;
  clock: Clock;
  metrics: Metrics;
  transforms: Transformer;
  topology: LiveTopology;
  /** The use cases: every API handler goes through these. */
  operations: Operations;
  /** The Vercel integration's webhook, when Switchyard is configured as one. */
  integrationWebhook: SharedSource | null;
}
