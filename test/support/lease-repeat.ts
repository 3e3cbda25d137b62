import type { Repeat } from "../../src/actions/lease-watch.js";

/**
 * The action runner's lease watches, ticked by the test instead of a timer: with a clock the test
 * owns, it says when a working run's lease is renewed (and a lost lease or a cancel found).
 */
export class ManualRepeat {
  readonly #ticks = new Set<() => Promise<void>>();

  /** What the runner is given (`AppOptions.actionLeaseRepeat`). */
  readonly repeat: Repeat = (tick) => {
    this.#ticks.add(tick);
    return { stop: () => void this.#ticks.delete(tick) };
  };

  /** How many runs are being watched now. */
  get watching(): number {
    return this.#ticks.size;
  }

  /** Runs every watch once, as the timer would, and waits for them. */
  async tick(): Promise<void> {
    await Promise.all([...this.#ticks].map((tick) => tick()));
  }
}
