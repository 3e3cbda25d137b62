import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import type { Clock } from "../core/clock.js";
import type { SecretBox } from "../core/secret-box.js";
import type { VercelApi } from "../integration/vercel-api.js";
import type { Store } from "../storage/port.js";
import { CheckPhases } from "./check-phases.js";
import type { ActionExecutor } from "./executor.js";
import { HttpExecutor } from "./http-executor.js";
import { probeAgent } from "./http-probe.js";
import type { Repeat } from "./lease-watch.js";
import { PostgresBranchExecutor } from "./postgres-branch-executor.js";
import { ActionRunner } from "./runner.js";

/** The key branch passwords are derived from: the encryption key's, kept apart by a label. */
function branchPasswordKey(encryptionKey: string): Buffer {
  return createHash("sha256").update(`switchyard/branch-passwords/${encryptionKey}`).digest();
}

/**
 * The runner of deployment integration actions and checks, when Switchyard is an integration (an
 * action Vercel asks for that is not configured here is reported failed, saying so); null otherwise.
 */
export function actionRunnerFor(
  config: Config,
  deps: {
    store: Store;
    vercel: VercelApi | null;
    secrets: SecretBox;
    clock: Clock;
    logger: Logger;
    owner: string;
    /** How a working run's lease is renewed over time; a timer by default. */
    leaseRepeat?: Repeat;
  },
): ActionRunner | null {
  const integration = config.integration;
  if (!integration || !deps.vercel || !config.encryptionKey) return null;
  const executors = new Map<string, { executor: ActionExecutor; timeoutMs: number }>();
  for (const action of config.actions) {
    const executor =
      action.kind === "postgres-branch"
        ? new PostgresBranchExecutor(action, branchPasswordKey(config.encryptionKey))
        : new HttpExecutor(action, integration.clientSecret);
    executors.set(action.slug, { executor, timeoutMs: action.timeout });
  }
  const checks = new CheckPhases({
    store: deps.store,
    vercel: deps.vercel,
    secrets: deps.secrets,
    clock: deps.clock,
    checks: new Map(config.checks.map((c) => [c.name, c])),
    detailsUrlBase: `${integration.publicUrl}/integrations/vercel/checks/`,
    agent: probeAgent(config.delivery.allowPrivateNetworks),
  });
  return new ActionRunner({
    checks,
    store: deps.store,
    vercel: deps.vercel,
    secrets: deps.secrets,
    clock: deps.clock,
    logger: deps.logger,
    executors,
    statusUrlBase: `${integration.publicUrl}/integrations/vercel/actions/`,
    owner: deps.owner,
    ...(deps.leaseRepeat ? { leaseRepeat: deps.leaseRepeat } : {}),
  });
}
