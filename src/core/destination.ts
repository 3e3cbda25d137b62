import type { Rate } from "./rate-limit.js";
import type { RetryPolicy } from "./retry-schedule.js";

/** How the bytes of an attempt are signed; `none` sends them unsigned. */
export interface Signing {
  scheme: "standard-webhooks" | "vercel" | "none";
  /** Several are accepted for rotation; the first signs (`vercel`) or all do (`standard-webhooks`). */
  secrets: string[];
}

/**
 * A destination as delivery sees it: its owner, where and how attempts are sent, and its limits.
 * Identified by `(tenant, slug)`; those of the config file belong to `DEFAULT_TENANT`.
 */
export interface Destination {
  tenant: string;
  slug: string;
  url: string;
  headers: Record<string, string>;
  /** How long an attempt waits for an answer, in ms. */
  timeout: number;
  retry: RetryPolicy;
  signing: Signing;
  /** Attempts in flight at most (one at a time when fifo). */
  maxConcurrency: number;
  rateLimit: Rate | null;
  /** `fifo`: one at a time, oldest first. */
  ordering: "none" | "fifo";
  /** Whether attempts may reach private addresses; undefined: the worker's setting decides. */
  allowPrivateNetwork: boolean | undefined;
}
