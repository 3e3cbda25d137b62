import type { Logger } from "pino";
import type { IntegrationConfig } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { DeclaredRun } from "../core/run-settings.js";
import type { SecretBox } from "../core/secret-box.js";
import type { VercelApi } from "../integration/vercel-api.js";
import type { DeliveryPlanner } from "../routing/planner.js";
import type { Store } from "../storage/port.js";

import type { LiveTopology } from "../topology/live.js";
import type { Transformer } from "../transform/apply.js";
import type { EventStreams } from "./event-streams.js";

/** What the delivery side is told by operations: new due work, and stored states that changed. */
export interface DeliverySignals {
  /** Due deliveries were added or requeued. */
  notify(): void;
  /** A destination's stored state was changed outside the worker (enabled, disabled). */
  reloadStates(): Promise<void>;
}

/** What every operation may use. */
export interface OperationsDeps {
  store: Store;
  topology: LiveTopology;
  planner: DeliveryPlanner;
  transforms: Transformer;
  delivery: DeliverySignals;
  clock: Clock;
  /** Seals the secrets of run-time sources and destinations, and installations' tokens. */
  secrets: SecretBox;
  /** Vercel's REST API, when Switchyard is configured as an integration (routes may then take its webhook's events). */
  vercel: VercelApi | null;
  /** The integration's settings (client credentials, public URL, Vercel's origins); null when Switchyard is not one. */
  integration: IntegrationConfig | null;
  /** Whether destinations may be on private networks (`delivery.allowPrivateNetworks`): the setup page checks URLs by it. */
  allowPrivateNetworks: boolean;
  /** The deployment actions and checks the config declares, each installation may turn off. */
  declaredRuns: readonly DeclaredRun[];
  /** The live event streams, which ingest wakes after each commit. */
  eventStreams: EventStreams;
  /** Where changes a person makes (retries, replays) are told. */
  logger: Logger;
}
