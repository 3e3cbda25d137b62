import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { DestinationConfig } from "../config/routing-schema.js";
import { type CircuitPolicy, DEFAULT_CIRCUIT_POLICY } from "../core/circuit-breaker.js";
import { claimBudget, heldUntil } from "../core/claim-budget.js";
import type { Clock } from "../core/clock.js";
import type { ClaimedDelivery, DestinationState, NewDelivery } from "../core/delivery-types.js";
import { applyDestinationChange, initialDestinationState } from "../core/destination-state.js";
import { GroupCommitter } from "../core/group-commit.js";
import { TokenBucket } from "../core/rate-limit.js";
import { DEFAULT_TENANT, type IncomingEvent } from "../core/types.js";
import type { DeliveryPlanner } from "../routing/planner.js";
import type { ClaimRequest, DeliveryOutcome, Store } from "../storage/port.js";
import type { Transformer } from "../transform/apply.js";
import { deliveryFailedAlert } from "./alerts.js";
import { decide, expired } from "./decide.js";
import type { DeliveryClient } from "./http-client.js";
import { payloadFor } from "./payload.js";
import { attemptHeaders } from "./request.js";

/** Settings of the worker as a whole. */
export interface WorkerOptions {
  store: Store;
  client: DeliveryClient;
  planner: DeliveryPlanner;
  clock: Clock;
  logger: Logger;
  owner: string;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** In-flight requests across all destinations. */
  concurrency: number;
  random?: () => number;
  circuit?: CircuitPolicy;
  /** Longest wait between looks at the queue when nothing wakes the worker. */
  pollMs?: number;
  /** The routes' transforms; without it, a delivery of a route with a transform fails. */
  transforms?: Transformer;
}

/** Events the worker emits, for metrics and for tests that wait on them. */
export interface WorkerEvents {
  outcome: [outcome: DeliveryOutcome, delivery: ClaimedDelivery];
  idle: [];
}

interface Runtime {
  config: DestinationConfig;
  state: DestinationState;
  inFlight: number;
  bucket: TokenBucket | null;
  /** Whether the store may hold due, unleased deliveries of the destination: then none is handed off. */
  backlog: boolean;
  /** Until when the store holds nothing due for the destination, as far as this worker knows. */
  clearUntil: number;
  /** Bumped at every change to the two above, so a check of the store begun before it cannot undo it. */
  mark: number;
  /** When this worker last claimed for the destination. */
  claimedAt: number;
  /** A claim for the destination is in flight: its rows are not yet counted in `inFlight`. */
  claiming: boolean;
  /** Handed-off deliveries waiting in memory for a slot, committed and leased to this worker. */
  queue: ClaimedDelivery[];
  /** Those, and the ones reserved for the queue whose events are still being committed. */
  held: number;
}

/** A due delivery of an event about to be committed, taken by this worker to send from memory. */
export interface HandOff {
  event: IncomingEvent;
  delivery: NewDelivery;
  /** No slot was free: it waits in memory for one rather than in the store for a claim. */
  queued: boolean;
}

/** How long past the destination's timeout a lease lasts: time to record the outcome. */
const LEASE_MARGIN_MS = 30_000;

/** Delivers pending deliveries: claim (under a lease) → send → record, at least once. */
export class DeliveryWorker extends EventEmitter<WorkerEvents> {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly recorder: GroupCommitter<DeliveryOutcome, undefined>;
  private readonly sends = new Set<Promise<void>>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private unsubscribe: (() => Promise<void>) | null = null;
  /**
   * Destinations the last claim round could not take from though work may be due, with when to
   * look again (null: when a send ends, new work arrives, or the next poll).
   */
  private readonly waiting = new Map<string, number | null>();
  private statesReadAt = 0;

  constructor(private readonly o: WorkerOptions) {
    super();
    for (const config of o.planner.destinations.values()) {
      // A shared store keeps one bucket for all nodes; a local one would only add a second limit.
      const bucket =
        config.rateLimit && !o.store.capabilities.multiNode
          ? new TokenBucket(config.rateLimit, o.clock.now())
          : null;
      this.runtimes.set(config.slug, {
        config,
        state: initialDestinationState(DEFAULT_TENANT, config.slug),
        inFlight: 0,
        bucket,
        backlog: true,
        clearUntil: Number.NEGATIVE_INFINITY,
        mark: 0,
        claimedAt: Number.NEGATIVE_INFINITY,
        claiming: false,
        queue: [],
        held: 0,
      });
    }
    this.recorder = new GroupCommitter(async (outcomes) => {
      await o.store.recordOutcomes(outcomes, o.clock.now());
      return outcomes.map(() => undefined);
    });
  }

  /** Loads destination states and starts the loop. On a single-node store, leases of a previous run are released. */
  async start(): Promise<void> {
    await this.reloadStates();
    if (!this.o.store.capabilities.multiNode) await this.o.store.releaseLeases(null);
    if (this.o.store.subscribeWork) this.unsubscribe = await this.o.store.subscribeWork(() => this.notify());
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Re-reads destination states (enable/disable from the API). */
  async reloadStates(): Promise<void> {
    this.adoptStates(await this.o.store.forTenant(DEFAULT_TENANT).listDestinationStates());
    this.notify();
  }

  /** Takes stored (or freshly claimed) destination states as this worker's view. */
  private adoptStates(states: readonly DestinationState[]): void {
    for (const s of states) {
      const rt = this.runtimes.get(s.destination);
      if (rt) rt.state = s;
    }
  }

  /**
   * Tells the worker there may be new work in the store (a new event, a retry, a clock moved in a
   * test), for the given destinations or for all.
   */
  notify(destinations?: Iterable<string>): void {
    if (destinations === undefined) for (const rt of this.runtimes.values()) this.markBacklog(rt);
    else {
      for (const slug of destinations) {
        const rt = this.runtimes.get(slug);
        if (rt) this.markBacklog(rt);
      }
    }
    this.wake();
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private markBacklog(rt: Runtime): void {
    rt.backlog = true;
    rt.mark++;
  }

  /** Work is stored for the destination, due at `at`: from then on nothing is handed off before it is claimed. */
  private clearNoLaterThan(rt: Runtime, at: number): void {
    rt.clearUntil = Math.min(rt.clearUntil, at);
    rt.mark++;
  }

  /**
   * Takes the due deliveries of `events`, which are about to be committed, that their destinations
   * may start now: each is leased to this worker in the same commit, and `dispatch` sends it from
   * memory once the commit is done, with no claim. Only on a store that serves one process (the
   * limits of a shared store hold in its claims), only while the store holds nothing due for the
   * destination that this worker has not claimed (older work goes first), and never in fifo order.
   * With every slot taken, a delivery may still wait in memory for one (up to the destination's
   * `maxConcurrency` of them, and the worker's `concurrency` in all), under a lease long enough for
   * that wait: at full load a claim would only read back what was just written. A due delivery not
   * taken waits in the store for a claim.
   */
  reserve(events: readonly IncomingEvent[]): HandOff[] {
    if (!this.running || this.o.store.capabilities.multiNode) return [];
    const now = this.o.clock.now();
    let free = this.o.concurrency - this.total("inFlight");
    const taken: HandOff[] = [];
    for (const event of events) {
      for (const delivery of event.deliveries) {
        const rt = this.runtimes.get(delivery.destination);
        if (!rt) continue;
        if (delivery.nextAttemptAt > now) {
          this.clearNoLaterThan(rt, delivery.nextAttemptAt);
          continue;
        }
        if (free > 0 && rt.held === 0 && this.mayStartFromMemory(rt, now)) {
          rt.inFlight++;
          rt.bucket?.take(now);
          free--;
          delivery.lease = { owner: this.o.owner, until: now + rt.config.timeout + LEASE_MARGIN_MS };
          taken.push({ event, delivery, queued: false });
        } else if (this.mayWaitInMemory(rt, now)) {
          rt.held++;
          // The wait is at most one timeout: the slots it waits for end by then.
          delivery.lease = { owner: this.o.owner, until: now + 2 * rt.config.timeout + LEASE_MARGIN_MS };
          taken.push({ event, delivery, queued: true });
        } else {
          this.markBacklog(rt);
        }
      }
    }
    return taken;
  }

  /**
   * Sends the deliveries `reserve` took whose events `stored` says were committed; gives back the
   * slots of the others (a duplicate event, a failed commit). A delivery committed while the worker
   * stops stays leased in the store: a single-node store releases it at the next start.
   */
  dispatch(taken: readonly HandOff[], stored: (event: IncomingEvent) => boolean): void {
    const queued = new Set<Runtime>();
    for (const { event, delivery, queued: waits } of taken) {
      const rt = this.runtimes.get(delivery.destination) as Runtime;
      if (!this.running || !stored(event) || !delivery.lease) {
        if (waits) rt.held--;
        else rt.inFlight--;
        continue;
      }
      const claimed: ClaimedDelivery = {
        id: delivery.id,
        tenant: event.tenant,
        eventId: event.id,
        eventType: event.type,
        source: event.source,
        destination: delivery.destination,
        route: delivery.route ?? null,
        attempts: 0,
        scheduleBase: 0,
        deadlineAt: delivery.deadlineAt,
        trigger: delivery.trigger,
        body: event.body,
        leaseUntil: delivery.lease.until,
      };
      if (waits) {
        rt.queue.push(claimed);
        queued.add(rt);
      } else this.track(rt, claimed);
    }
    for (const rt of queued) this.startWaiting(rt);
    if (taken.length > 0) this.wake();
  }

  /**
   * Whether a new delivery may skip the store's queue: the destination is not fifo, no claim for
   * it is in flight, and the store holds nothing due for it that this worker has not claimed.
   */
  private mayHandOff(rt: Runtime, now: number): boolean {
    return rt.config.ordering !== "fifo" && !rt.claiming && !rt.backlog && now < rt.clearUntil;
  }

  private mayStartFromMemory(rt: Runtime, now: number): boolean {
    return this.mayHandOff(rt, now) && this.budgetOf(rt, now) > 0;
  }

  /** Whether a due delivery for which no slot is free may wait in memory for one. */
  private mayWaitInMemory(rt: Runtime, now: number): boolean {
    if (!this.mayHandOff(rt, now) || rt.bucket) return false;
    if (rt.held >= rt.config.maxConcurrency || this.total("held") >= this.o.concurrency) return false;
    // Only for a destination that takes deliveries at all (enabled, circuit not open).
    return this.budgetOf(rt, now, 0) > 0;
  }

  /** How many more deliveries the destination's limits let start now, with `inFlight` of them running. */
  private budgetOf(rt: Runtime, now: number, inFlight = rt.inFlight): number {
    return claimBudget({
      maxConcurrency: rt.config.maxConcurrency,
      fifo: rt.config.ordering === "fifo",
      state: rt.state,
      inFlight,
      tokens: rt.bucket ? rt.bucket.available(now) : null,
      now,
    });
  }

  /**
   * Starts the deliveries waiting in memory that the destination's limits let start now. One whose
   * lease no longer covers an attempt is left to the store, to be claimed once that lease ends.
   */
  private startWaiting(rt: Runtime): void {
    if (!this.running) return;
    const now = this.o.clock.now();
    while (rt.queue.length > 0 && this.total("inFlight") < this.o.concurrency) {
      const next = rt.queue[0] as ClaimedDelivery;
      if (now + rt.config.timeout + LEASE_MARGIN_MS / 2 > next.leaseUntil) {
        rt.queue.shift();
        rt.held--;
        this.markBacklog(rt);
        this.clearNoLaterThan(rt, next.leaseUntil);
        continue;
      }
      if (this.budgetOf(rt, now) <= 0) return;
      rt.queue.shift();
      rt.held--;
      rt.inFlight++;
      this.track(rt, next);
    }
  }

  /** Sends a delivery whose slot is already counted in `rt.inFlight`, and frees the slot when done. */
  private track(rt: Runtime, delivery: ClaimedDelivery): void {
    const send = this.deliver(delivery, rt).finally(() => {
      rt.inFlight--;
      this.sends.delete(send);
      this.startWaiting(rt);
      this.wake();
    });
    this.sends.add(send);
  }

  /**
   * After a claim that found fewer due deliveries than it asked for: the store holds nothing due
   * for the destination now, and until its next due delivery. Left as it is if anything changed
   * since the claim began.
   */
  private async clearBacklog(rt: Runtime, mark: number): Promise<void> {
    const next = await this.o.store.nextDueAt([{ tenant: DEFAULT_TENANT, destination: rt.config.slug }]);
    if (rt.mark !== mark) return;
    rt.backlog = false;
    rt.clearUntil = next ?? Number.POSITIVE_INFINITY;
  }

  /** Stops claiming, lets in-flight attempts finish and records them. */
  async stop(): Promise<void> {
    this.running = false;
    await this.unsubscribe?.().catch(() => {});
    this.notify();
    await this.loopDone;
    await Promise.all(this.sends);
    // Every send has ended and been recorded: a lease still held is a delivery that waited in
    // memory. Released, it is claimed at the next start (or, should this fail, released then).
    let waited = 0;
    for (const rt of this.runtimes.values()) {
      waited += rt.queue.length;
      rt.held -= rt.queue.length;
      rt.queue = [];
    }
    if (waited > 0) {
      await this.o.store.releaseLeases(this.o.owner).catch((error: unknown) => {
        this.o.logger.error({ err: error }, "releasing the leases of deliveries waiting in memory failed");
      });
    }
  }

  /** A destination's current state, as the worker sees it. */
  stateOf(destination: string): DestinationState | undefined {
    return this.runtimes.get(destination)?.state;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      try {
        await this.refreshSharedStates();
        claimed = await this.claimAndSend();
      } catch (error) {
        this.o.logger.error({ err: error }, "claiming deliveries failed");
      }
      if (claimed === 0 && this.running) await this.waitForWork();
    }
  }

  /** With several nodes, another may have disabled, enabled or opened a destination: re-read now and then. */
  private async refreshSharedStates(): Promise<void> {
    const now = this.o.clock.now();
    if (!this.o.store.capabilities.multiNode || now - this.statesReadAt < (this.o.pollMs ?? 1000)) return;
    this.statesReadAt = now;
    this.adoptStates(await this.o.store.forTenant(DEFAULT_TENANT).listDestinationStates());
  }

  private async claimAndSend(): Promise<number> {
    const now = this.o.clock.now();
    // Deliveries waiting in memory go before any claim.
    for (const rt of this.runtimes.values()) this.startWaiting(rt);
    let free = this.o.concurrency - this.total("inFlight");
    const requests: ClaimRequest[] = [];
    this.waiting.clear();
    for (const rt of this.runtimes.values()) {
      const slug = rt.config.slug;
      const fifo = rt.config.ordering === "fifo";
      // While deliveries still wait in memory, the destination's free slots are theirs.
      if (rt.queue.length > 0) {
        this.waiting.set(slug, null);
        continue;
      }
      // Nothing due in the store for it, as far as this worker knows: no claim, except once per
      // poll interval, which bounds how late work it was not told of (an expired lease) is found.
      if (!rt.backlog && now < rt.clearUntil && now - rt.claimedAt < (this.o.pollMs ?? 1000)) continue;
      const budget = this.budgetOf(rt, now);
      if (budget <= 0 || free <= 0) {
        const wait =
          free > 0 ? heldUntil(rt.state, rt.bucket ? rt.bucket.msUntilToken(now) : null, now) : null;
        this.waiting.set(slug, wait);
        continue;
      }
      const limit = Math.min(budget, free);
      // While requests are in flight, wait until a quarter of the slots are free: one claim of
      // many rows costs about what a claim of one does.
      if (rt.inFlight > 0 && limit < Math.ceil(rt.config.maxConcurrency / 4) && !fifo) {
        this.waiting.set(slug, null);
        continue;
      }
      requests.push({
        tenant: DEFAULT_TENANT,
        destination: slug,
        limit,
        fifo,
        maxConcurrency: rt.config.maxConcurrency,
        rate: rt.config.rateLimit ?? null,
      });
      free -= limit;
    }
    if (requests.length === 0) return 0;
    const leaseMs =
      Math.max(...requests.map((r) => (this.runtimes.get(r.destination) as Runtime).config.timeout)) +
      LEASE_MARGIN_MS;
    const marks = new Map<string, number>();
    for (const r of requests) {
      const rt = this.runtimes.get(r.destination) as Runtime;
      marks.set(r.destination, rt.mark);
      rt.claimedAt = now;
      rt.claiming = true;
    }
    let result: Awaited<ReturnType<Store["claimDeliveries"]>>;
    try {
      result = await this.o.store.claimDeliveries(requests, now, now + leaseMs, this.o.owner);
    } finally {
      for (const r of requests) (this.runtimes.get(r.destination) as Runtime).claiming = false;
    }
    this.adoptStates(result.states);
    for (const h of result.held) this.waiting.set(h.destination, h.until);
    const claimed = new Map<string, number>();
    for (const delivery of result.deliveries) {
      const rt = this.runtimes.get(delivery.destination);
      if (!rt) continue;
      claimed.set(delivery.destination, (claimed.get(delivery.destination) ?? 0) + 1);
      rt.inFlight++;
      rt.bucket?.take(now);
      this.track(rt, delivery);
    }
    if (!this.o.store.capabilities.multiNode) {
      for (const r of requests) {
        const rt = this.runtimes.get(r.destination) as Runtime;
        const drained = !r.fifo && (claimed.get(r.destination) ?? 0) < r.limit;
        if (drained && (rt.backlog || now >= rt.clearUntil))
          await this.clearBacklog(rt, marks.get(r.destination) ?? -1);
      }
    }
    return result.deliveries.length;
  }

  private async deliver(delivery: ClaimedDelivery, rt: Runtime): Promise<void> {
    const startedAt = this.o.clock.now();
    let result: Omit<DeliveryOutcome, "alert">;
    const payload =
      startedAt > delivery.deadlineAt
        ? null
        : await payloadFor(delivery, this.o.transforms ?? null, startedAt, () => this.o.clock.now());
    if (payload === null) {
      result = expired(delivery);
    } else if (!payload.send) {
      result = payload.outcome;
    } else {
      const attempt = await this.o.client.send({
        url: rt.config.url,
        headers: attemptHeaders(
          delivery,
          rt.config,
          delivery.attempts + 1,
          startedAt,
          this.o.userAgent,
          payload,
        ),
        body: payload.body,
        timeoutMs: rt.config.timeout,
        allowPrivateNetwork: rt.config.allowPrivateNetwork ?? this.o.allowPrivateNetworks,
      });
      result = decide({
        delivery,
        destination: rt.config,
        result: attempt,
        startedAt,
        now: this.o.clock.now(),
        random: this.o.random ?? Math.random,
        circuit: this.o.circuit ?? DEFAULT_CIRCUIT_POLICY,
      });
      if (payload.transform) result.transform = payload.transform;
      if (result.destinationChange) rt.state = applyDestinationChange(rt.state, result.destinationChange);
    }
    if (result.status === "pending" && result.nextAttemptAt !== null)
      this.clearNoLaterThan(rt, result.nextAttemptAt);
    const outcome: DeliveryOutcome = {
      ...result,
      alert: deliveryFailedAlert(delivery, result, this.o.planner, this.o.clock.now()),
    };
    try {
      await this.recorder.submit(outcome);
      // The alert's own deliveries went into the store with it, to be claimed.
      if (outcome.alert) this.notify(outcome.alert.deliveries.map((d) => d.destination));
      this.emit("outcome", outcome, delivery);
    } catch (error) {
      // The lease expires and the delivery is attempted again: at least once, never lost.
      this.o.logger.error({ err: error, deliveryId: delivery.id }, "recording an attempt failed");
      this.markBacklog(rt);
      this.clearNoLaterThan(rt, delivery.leaseUntil);
    }
  }

  private async waitForWork(): Promise<void> {
    if (this.woken) return;
    const now = this.o.clock.now();
    let until = now + (this.o.pollMs ?? 1000);
    for (const at of this.waiting.values()) if (at !== null) until = Math.min(until, Math.max(at, now));
    const ready = [...this.runtimes.values()].filter(
      (rt) => rt.state.state === "active" && !this.waiting.has(rt.config.slug),
    );
    try {
      const due = await this.o.store.nextDueAt(
        ready.map((rt) => ({ tenant: DEFAULT_TENANT, destination: rt.config.slug })),
      );
      if (due !== null) until = Math.min(until, Math.max(due, now));
    } catch {
      // The store is unreachable: poll again later.
    }
    if (this.woken || !this.running) return;
    if (this.sends.size === 0) this.emit("idle");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, until - now));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }

  /** Requests in flight, or deliveries held in memory, across destinations. */
  private total(of: "inFlight" | "held"): number {
    let n = 0;
    for (const rt of this.runtimes.values()) n += rt[of];
    return n;
  }
}
