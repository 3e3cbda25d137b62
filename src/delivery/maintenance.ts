import type { Logger } from "pino";
import type { Clock } from "../core/clock.js";
import type { Store } from "../storage/port.js";

/** Purges what is older than the retention period, on a timer; one pass can also be run by hand. */
export class Maintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionMs: number,
    private readonly everyMs = 3_600_000,
  ) {}

  /** Runs a pass now and then every `everyMs`. */
  start(): void {
    const pass = () => {
      this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, "retention purge failed"));
    };
    pass();
    this.timer = setInterval(pass, this.everyMs);
    this.timer.unref();
  }

  /**
   * Deletes finished deliveries, their attempts and events older than the retention period, and
   * OAuth states and browser sessions that have expired.
   */
  runOnce(): Promise<{ events: number; deliveries: number }> {
    // After this node's pass in progress, if any: two of its own at once would find the purge's
    // lock taken by the other and one would purge nothing.
    const pass = this.running.catch(() => {}).then(() => this.#pass());
    this.running = pass;
    return pass;
  }

  async #pass(): Promise<{ events: number; deliveries: number }> {
    const now = this.clock.now();
    const result = await this.store.purge(now - this.retentionMs);
    if (result.events > 0 || result.deliveries > 0) this.logger.info(result, "retention purge");
    const expired = await this.store.installations.purgeExpired(now);
    if (expired.states > 0 || expired.sessions > 0)
      this.logger.info(expired, "expired states and sessions purge");
    return result;
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running.catch(() => {});
  }
}
