/**
 * Realistic, schema-valid sample events for every catalog type, for tests, demos, the CLI and
 * benchmarks. Payload builders are typed against the inferred event types, so a sample that drifts
 * from its schema fails to compile.
 */
import { eventCatalog, type VercelEventType } from "./catalog.js";
import { lookupEventType } from "./lookup.js";
import { deploymentSamples } from "./sample-payloads/deployment.js";
import { domainSamples } from "./sample-payloads/domain.js";
import {
  CLIENT_ID,
  REGION,
  randomAlphanumeric,
  type SampleContext,
  type SamplePayloadBuilders,
  TEAM_ID,
  USER_ID,
} from "./sample-payloads/fixtures.js";
import { integrationSamples } from "./sample-payloads/integration.js";
import { legacySamples } from "./sample-payloads/legacy.js";
import { projectSamples } from "./sample-payloads/project.js";

const payloadBuilders: SamplePayloadBuilders = {
  ...deploymentSamples,
  ...domainSamples,
  ...projectSamples,
  ...integrationSamples,
  ...legacySamples,
};

/** Options for {@link sampleEvent}. */
export interface SampleEventOptions {
  /** Delivery id; a random `evt_…` id by default, so each sample is a distinct delivery. */
  id?: string;
  /** Epoch milliseconds; `Date.now()` by default. */
  createdAt?: number;
}

/**
 * A realistic envelope for `type` (canonical name or alias; the sample's `type` is the spelling
 * given). Legacy types use the legacy envelope. Throws for an unknown type.
 */
export function sampleEvent(type: string, opts: SampleEventOptions = {}): object {
  const entry = lookupEventType(type);
  if (entry === undefined) {
    throw new Error(`Unknown Vercel event type "${type}": sampleEventTypes() lists the types with samples`);
  }
  const ctx: SampleContext = {
    deploymentId: `dpl_${randomAlphanumeric(28)}`,
    createdAt: opts.createdAt ?? Date.now(),
  };
  const build = payloadBuilders[entry.type] as (ctx: SampleContext) => object;
  const common = {
    id: opts.id ?? `evt_${randomAlphanumeric(24)}`,
    type,
    createdAt: ctx.createdAt,
    region: REGION,
  };
  if (!entry.legacy) return { ...common, payload: build(ctx) };
  return {
    ...common,
    clientId: CLIENT_ID,
    ownerId: TEAM_ID,
    teamId: TEAM_ID,
    userId: USER_ID,
    webhookId: `hook_${randomAlphanumeric(20)}`,
    payload: build(ctx),
  };
}

/** Canonical names of every type {@link sampleEvent} can build, in catalog order. */
export function sampleEventTypes(): VercelEventType[] {
  return eventCatalog.map((entry) => entry.type);
}
