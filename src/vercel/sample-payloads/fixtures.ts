/**
 * Realistic identifiers and values shared by the sample payloads. Ids follow Vercel's formats
 * (`dpl_`, `prj_`, `team_`, `icfg_`, `oac_` prefixes; user ids are bare 24-character strings).
 */
import type { VercelEventOf, VercelEventType } from "../catalog.js";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A random alphanumeric string; the slight modulo bias does not matter for sample ids. WebCrypto's
 * random values, not node:crypto's, so that samples work on every runtime the entry supports.
 */
export function randomAlphanumeric(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/** Per-sample values: what changes from one generated event to the next. */
export interface SampleContext {
  /** A fresh `dpl_…` id for each sample. */
  readonly deploymentId: string;
  /** The envelope's createdAt (epoch ms); payload timestamps are derived from it. */
  readonly createdAt: number;
}

/** Builds the payload of one event type, typed so that samples cannot drift from the schemas. */
export type SamplePayloadBuilder<T extends VercelEventType> = (
  ctx: SampleContext,
) => VercelEventOf<T>["payload"];

/** A payload builder for every canonical event type. */
export type SamplePayloadBuilders = { [T in VercelEventType]: SamplePayloadBuilder<T> };

export const TEAM_ID = "team_4vW6xY8zA0bC2dE4fG6hI8jK";
export const TEAM_SLUG = "acme";
export const USER_ID = "zTxUxnfeSUxWU5nL5jpSzC8E";
export const PROJECT_ID = "prj_9kL3mN5pQ7rS1tU3vW5xY7zA9bC1";
export const PROJECT_NAME = "storefront";
export const OTHER_PROJECT_ID = "prj_2wX4yZ6aB8cD0eF2gH4iJ6kL8mN0";
export const PREVIOUS_DEPLOYMENT_ID = "dpl_5nM7oP9qR1sT3uV5wX7yZ9aB1cD3";
export const CONFIGURATION_ID = "icfg_Qw8eR5tY2uI9oP3aS6dF1gH4";
export const CLIENT_ID = "oac_7Hx9qPzR4mN2vL5wK8jB3cT6";
export const RESOURCE_ID = "store_pg_8f2k3m9q";
export const DOMAIN = "acme-shop.com";
export const REGION = "iad1";

/** The `actorFields` part of most current payloads. */
export const actor = { team: { id: TEAM_ID }, user: { id: USER_ID } };

/** ISO date `days` after (or before, if negative) the sample's createdAt. */
export function isoDaysFrom(ctx: SampleContext, days: number): string {
  return new Date(ctx.createdAt + days * 86_400_000).toISOString();
}
