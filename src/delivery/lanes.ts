import type { Clock } from "../core/clock.js";
import type { DestinationState } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import { Lane, laneKey, storedLaneKey } from "./lane.js";

/** The worker's lanes, one per destination, by `laneKey`; retired lanes stay until nothing of theirs is in flight. */
export class Lanes implements Iterable<Lane> {
  private readonly byKey = new Map<string, Lane>();
  /** Lanes retired and not yet swept: a sweep has nothing to do without them. */
  private retiring = 0;

  /** `localRate`: lanes hold destinations to their rates themselves (see `Lane`). */
  constructor(
    private readonly localRate: boolean,
    private readonly clock: Clock,
  ) {}

  [Symbol.iterator](): Iterator<Lane> {
    return this.byKey.values();
  }

  /** The lane of a destination, retired or not. */
  get(tenant: string, slug: string): Lane | undefined {
    return this.byKey.get(laneKey(tenant, slug));
  }

  /** The lane of `key`. */
  byLaneKey(key: string): Lane | undefined {
    return this.byKey.get(key);
  }

  /**
   * Puts a destination in: a new lane (with `stored`, its stored state if it has one), or new
   * settings for the lane it has, which stops retiring.
   */
  put(destination: Destination, stored?: readonly DestinationState[]): Lane {
    const key = laneKey(destination.tenant, destination.slug);
    const existing = this.byKey.get(key);
    if (existing) {
      if (existing.retired) this.retiring--;
      existing.retired = false;
      existing.update(destination, this.clock.now());
      return existing;
    }
    const state = stored?.find((s) => storedLaneKey(s) === key);
    const lane = new Lane(destination, state, this.localRate, this.clock.now());
    this.byKey.set(key, lane);
    return lane;
  }

  /** New settings for a destination's lane; false when it has none (or it is retired). */
  update(destination: Destination): boolean {
    const lane = this.get(destination.tenant, destination.slug);
    if (!lane || lane.retired) return false;
    lane.update(destination, this.clock.now());
    return true;
  }

  /**
   * Retires a destination's lane: no claim or hand-off any more, deliveries waiting in memory
   * dropped (their leases end in the store). False when it has none.
   */
  retire(tenant: string, slug: string): boolean {
    const lane = this.get(tenant, slug);
    if (!lane || lane.retired) return false;
    lane.retired = true;
    this.retiring++;
    lane.dropWaiting();
    this.sweep();
    return true;
  }

  /** Forgets retired lanes with nothing in flight, held or being claimed. */
  sweep(): void {
    if (this.retiring === 0) return;
    for (const [key, lane] of this.byKey) {
      if (!lane.retired || !lane.idle) continue;
      this.byKey.delete(key);
      this.retiring--;
    }
  }

  /** Takes stored (or freshly claimed) destination states as this worker's view. */
  adopt(states: readonly DestinationState[]): void {
    for (const s of states) this.byKey.get(storedLaneKey(s))?.adopt(s);
  }

  /** Requests in flight, or deliveries held in memory, across lanes. */
  total(of: "inFlight" | "held"): number {
    let n = 0;
    for (const lane of this.byKey.values()) n += lane[of];
    return n;
  }
}
