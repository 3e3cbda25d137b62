import { claimBudget, heldUntil } from "../core/claim-budget.js";
import type { ClaimedDelivery, DestinationState } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import {
  applyDestinationChange,
  type DestinationChange,
  initialDestinationState,
} from "../core/destination-state.js";
import { type Rate, TokenBucket } from "../core/rate-limit.js";
import { DEFAULT_TENANT } from "../core/types.js";
import type { LaneSnapshot } from "./claim-planner.js";

/**
 * The one key of a destination's lane, from its identity. A slug holds no `/`, so the last `/`
 * splits the key and no two identities share one.
 */
export function laneKey(tenant: string, slug: string): string {
  return `${tenant}/${slug}`;
}

/**
 * The lane key of a row the store names a destination in. Rows that carry no tenant yet belong to
 * the config file's destinations.
 */
export function storedLaneKey(row: { destination: string; tenant?: string }): string {
  return laneKey(row.tenant ?? DEFAULT_TENANT, row.destination);
}

/**
 * One destination as this worker runs it: its limits and token bucket, its slots in flight, what it
 * knows of the store's backlog for it, its circuit state, and the deliveries handed off to it that
 * wait in memory for a slot.
 */
export class Lane {
  readonly key: string;
  private dest: Destination;
  private current: DestinationState;
  private bucket: TokenBucket | null;
  private slots = 0;
  /** Whether the store may hold due, unleased deliveries of the destination: then none is handed off. */
  private backlog = true;
  /** Until when the store holds nothing due for the destination, as far as this worker knows. */
  private clearUntil = Number.NEGATIVE_INFINITY;
  /** Bumped at every change to the two above, so a check of the store begun before it cannot undo it. */
  private mark = 0;
  /** When this worker last claimed for the destination. */
  private claimedAt = Number.NEGATIVE_INFINITY;
  /** A claim for the destination is in flight: its rows are not yet counted in `inFlight`. */
  private claiming = false;
  /** Handed-off deliveries waiting in memory for a slot, committed and leased to this worker. */
  private readonly queue: ClaimedDelivery[] = [];
  /** Those, and the ones reserved for the queue whose events are still being committed. */
  private reserved = 0;
  /** Removed: no claim or hand-off any more; what is in flight finishes. */
  retired = false;

  /**
   * `localRate`: the worker holds the destination to its rate itself (a store that enforces limits
   * in its claim keeps one bucket for all nodes; a local one would only add a second limit).
   */
  constructor(
    destination: Destination,
    state: DestinationState | undefined,
    private readonly localRate: boolean,
    now: number,
  ) {
    this.key = laneKey(destination.tenant, destination.slug);
    this.dest = destination;
    this.current = state ?? initialDestinationState(destination.tenant, destination.slug);
    this.bucket = this.bucketFor(destination.rateLimit, now);
  }

  private bucketFor(rate: Rate | null, now: number): TokenBucket | null {
    return rate && this.localRate ? new TokenBucket(rate, now) : null;
  }

  get destination(): Destination {
    return this.dest;
  }

  get fifo(): boolean {
    return this.dest.ordering === "fifo";
  }

  /** The destination's state (enabled, circuit) as this worker knows it. */
  get state(): DestinationState {
    return this.current;
  }

  /** Requests of the destination in flight on this worker. */
  get inFlight(): number {
    return this.slots;
  }

  /** Deliveries held in memory for the destination: waiting for a slot, or reserved to. */
  get held(): number {
    return this.reserved;
  }

  /** Nothing in flight, held or being claimed: a retired lane may go. */
  get idle(): boolean {
    return this.slots === 0 && this.reserved === 0 && !this.claiming;
  }

  /**
   * Takes new settings. Slots in flight and deliveries held stay counted; a new rate starts a new,
   * full bucket. A fifo destination's in-memory waiters still start, one at a time.
   */
  update(destination: Destination, now: number): void {
    const before = this.dest.rateLimit;
    const after = destination.rateLimit;
    this.dest = destination;
    if (before?.count !== after?.count || before?.perMs !== after?.perMs)
      this.bucket = this.bucketFor(after, now);
    this.markBacklog();
  }

  /** Takes a stored (or freshly claimed) state as this worker's view. */
  adopt(state: DestinationState): void {
    this.current = state;
  }

  /** Applies what an attempt told about the destination. */
  applyChange(change: DestinationChange): void {
    this.current = applyDestinationChange(this.current, change);
  }

  /** How many more deliveries the destination's limits let start now, with `inFlight` of them running. */
  budget(now: number, inFlight = this.slots): number {
    return claimBudget({
      maxConcurrency: this.dest.maxConcurrency,
      fifo: this.fifo,
      state: this.current,
      inFlight,
      tokens: this.bucket ? this.bucket.available(now) : null,
      now,
    });
  }

  /** Counts a delivery starting now: a slot, and a token of the rate limit. */
  startSlot(now: number): void {
    this.slots++;
    this.bucket?.take(now);
  }

  /** Frees a slot: its attempt ended, or it never started. */
  endSlot(): void {
    this.slots--;
  }

  /** The store may hold due work of the destination not yet claimed: claim before any hand-off. */
  markBacklog(): void {
    this.backlog = true;
    this.mark++;
  }

  /** Work is stored for the destination, due at `at`: from then on nothing is handed off before it is claimed. */
  clearNoLaterThan(at: number): void {
    this.clearUntil = Math.min(this.clearUntil, at);
    this.mark++;
  }

  /** A claim for the destination begins; returns the mark to settle it with. */
  beginClaim(now: number): number {
    this.claimedAt = now;
    this.claiming = true;
    return this.mark;
  }

  /** The claim begun by `beginClaim` has ended. */
  endClaim(): void {
    this.claiming = false;
  }

  /** Whether the store may hold due work for the destination that this worker has not claimed. */
  mayHaveBacklog(now: number): boolean {
    return this.backlog || now >= this.clearUntil;
  }

  /**
   * After a claim that found fewer due deliveries than it asked for: the store holds nothing due
   * now, and nothing before `next`. Left as it is if anything changed since the claim began.
   */
  settleClear(mark: number, next: number | null): void {
    if (this.mark !== mark) return;
    this.backlog = false;
    this.clearUntil = next ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Whether a new delivery may skip the store's queue: the destination is not fifo, no claim for
   * it is in flight, and the store holds nothing due for it that this worker has not claimed.
   */
  mayHandOff(now: number): boolean {
    return !this.fifo && !this.retired && !this.claiming && !this.mayHaveBacklog(now);
  }

  /** Whether a handed-off delivery may start now: the lane may hand off and has budget. */
  mayStartFromMemory(now: number): boolean {
    return this.reserved === 0 && this.mayHandOff(now) && this.budget(now) > 0;
  }

  /**
   * Whether a due delivery for which no slot is free may wait in memory for one: at most
   * `maxConcurrency` of them (and while the worker has `room` for more), never under a rate limit,
   * and only while the destination takes deliveries at all (enabled, circuit not open).
   */
  mayWaitInMemory(now: number, room: () => boolean): boolean {
    if (!this.mayHandOff(now) || this.bucket) return false;
    if (this.reserved >= this.dest.maxConcurrency || !room()) return false;
    return this.budget(now, 0) > 0;
  }

  /**
   * How many more claimed deliveries may wait in memory for the destination's next free slots, so
   * that a slot that frees starts the next one at once instead of after a claim: up to its
   * `maxConcurrency` of them in all, never in fifo order or under a rate limit, and only while the
   * destination takes deliveries at all (enabled, circuit not open).
   */
  readAhead(now: number): number {
    if (this.fifo || this.retired || this.dest.rateLimit !== null) return 0;
    if (this.budget(now, 0) <= 0) return 0;
    return Math.max(0, this.dest.maxConcurrency - this.reserved);
  }

  /** Holds a place in memory for a delivery whose event is being committed, or one claimed ahead. */
  reserve(): void {
    this.reserved++;
  }

  /** Gives back a place `reserve` held (its event was not stored, or it was not queued). */
  unreserve(): void {
    this.reserved--;
  }

  /** Queues a committed, leased delivery (handed off, or claimed ahead) in a place `reserve` held. */
  enqueue(delivery: ClaimedDelivery): void {
    this.queue.push(delivery);
  }

  /** The delivery waiting longest in memory, if any. */
  nextWaiting(): ClaimedDelivery | undefined {
    return this.queue[0];
  }

  /** Takes the delivery waiting longest out of memory, freeing its place. */
  takeWaiting(): void {
    this.queue.shift();
    this.reserved--;
  }

  /** Deliveries waiting in memory. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Drops every delivery waiting in memory (their leases stay in the store); returns how many. */
  dropWaiting(): number {
    const n = this.queue.length;
    this.reserved -= n;
    this.queue.length = 0;
    return n;
  }

  /**
   * What the claim planner needs to know of the lane at `now`; `readsAhead`: the worker may keep
   * claimed deliveries waiting in memory (it is the store's sole claimer).
   */
  snapshot(now: number, pollMs: number, readsAhead = false): LaneSnapshot {
    return {
      key: this.key,
      tenant: this.dest.tenant,
      slug: this.dest.slug,
      fifo: this.fifo,
      maxConcurrency: this.dest.maxConcurrency,
      rate: this.dest.rateLimit,
      timeout: this.dest.timeout,
      inFlight: this.slots,
      waiting: this.queue.length,
      readAhead: readsAhead ? this.readAhead(now) : 0,
      // Nothing due in the store for it, as far as this worker knows: no claim, except once per
      // poll interval, which bounds how late work it was not told of (an expired lease) is found.
      skip: !this.backlog && now < this.clearUntil && now - this.claimedAt < pollMs,
      budget: this.budget(now),
      heldUntil: heldUntil(this.current, this.bucket ? this.bucket.msUntilToken(now) : null, now),
    };
  }
}
