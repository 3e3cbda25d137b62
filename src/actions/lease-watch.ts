import type { Clock } from "../core/clock.js";
import type { ActionRun } from "../storage/actions-port.js";
import type { Store } from "../storage/port.js";

/** Calls `tick` every `ms` until stopped. Tests pass their own, to tick by hand on a clock they own. */
export type Repeat = (tick: () => Promise<void>, ms: number) => { stop(): void };

/** Ticks on a timer that does not keep the process alive. */
export const repeatEvery: Repeat = (tick, ms) => {
  const timer = setInterval(() => void tick(), ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};

export interface LeaseWatchOptions {
  store: Store;
  clock: Clock;
  /** The runner holding the run. */
  owner: string;
  repeat: Repeat;
  /** How often the lease is renewed: well within the lease, so one slow tick does not lose it. */
  everyMs: number;
}

/**
 * Watches a run while its phase works, which may outlast the run's lease (an action, a check's
 * request up to its timeout): renews the lease from the clock's now, and aborts the work when the
 * lease was lost (another runner took the run: this one's outcome would not count) or when an event
 * asked for a cancel meanwhile (the cancel phase then takes the run). Stopped by the caller.
 */
export function watchLease(o: LeaseWatchOptions, run: ActionRun, abort: AbortController): { stop(): void } {
  return o.repeat(async () => {
    try {
      const held = await o.store.actions.changeRun(run.id, o.owner, {}, o.clock.now(), true);
      const now = held ? await o.store.actions.getRun(run.id) : null;
      if (!held || now?.run.phase === "cancel") abort.abort();
    } catch {
      // The store did not answer: the next tick asks again, and a lease that runs out meanwhile is
      // found lost then.
    }
  }, o.everyMs);
}
