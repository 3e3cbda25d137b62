import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { ClaimedDelivery, DestinationState } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import { GroupCommitter } from "../core/group-commit.js";
import { DEFAULT_TENANT } from "../core/types.js";
import { WakeSignal } from "../core/wake-signal.js";
import type { DeliveryOutcome, DestinationKey, Store } from "../storage/port.js";
import { type AttemptSettings, attempt } from "./attempt.js";
import { type LaneSnapshot, planClaims } from "./claim-planner.js";
import { destinationCircuit } from "./destination-circuit.js";
import { HandOff } from "./hand-off.js";
import { type Lane, laneKey, storedLaneKey } from "./lane.js";
import { Lanes } from "./lanes.js";

/** Settings of the worker as a whole. */
export interface WorkerOptions extends Omit<AttemptSettings, "transforms"> {
  store: Store;
  /** The destinations to deliver to at start; see `addDestination` and the like for later changes. */
  destinations: readonly Destination[];
  logger: Logger;
  owner: string;
  /** In-flight requests across all destinations. */
  concurrency: number;
  /** Longest wait between looks at the queue when nothing wakes the worker. */
  pollMs?: number;
  /** The routes' transforms; without it, a delivery of a route with a transform fails. */
  transforms?: AttemptSettings["transforms"] | undefined;
}

/** A destination's circuit going from one state to another. */
export interface CircuitChange {
  tenant: string;
  destination: string;
  from: ReturnType<typeof destinationCircuit>;
  to: ReturnType<typeof destinationCircuit>;
}

/** Events the worker emits, for metrics and for tests that wait on them. */
export interface WorkerEvents {
  outcome: [outcome: DeliveryOutcome, delivery: ClaimedDelivery];
  /** A destination's circuit changed with an attempt's outcome. */
  circuit: [change: CircuitChange];
  idle: [];
}

/** Delivers pending deliveries: claim (under a lease) → send → record, at least once. */
export class DeliveryWorker extends EventEmitter<WorkerEvents> {
  private readonly lanes: Lanes;
  /** The in-memory hand-off of ingested deliveries; null where the store has other claimers. */
  readonly handOff: HandOff | null;
  private readonly attempts: AttemptSettings;
  private readonly recorder: GroupCommitter<DeliveryOutcome, undefined>;
  private readonly sends = new Set<Promise<void>>();
  private readonly pollMs: number;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly signal = new WakeSignal();
  private unsubscribe: (() => Promise<void>) | null = null;
  /** Lanes the last claim round could not take from though work may be due, with when to look again. */
  private waiting = new Map<string, number | null>();
  private statesReadAt = 0;

  constructor(private readonly o: WorkerOptions) {
    super();
    this.pollMs = o.pollMs ?? 1000;
    this.attempts = {
      client: o.client,
      clock: o.clock,
      planner: o.planner,
      userAgent: o.userAgent,
      allowPrivateNetworks: o.allowPrivateNetworks,
      transforms: o.transforms ?? null,
      random: o.random,
      circuit: o.circuit,
    };
    this.lanes = new Lanes(!o.store.capabilities.enforcesLimitsInClaim, o.clock);
    for (const d of o.destinations) this.lanes.put(d);
    this.recorder = new GroupCommitter(async (outcomes) => {
      await o.store.recordOutcomes(outcomes, o.clock.now());
      return outcomes.map(() => undefined);
    });
    this.handOff = o.store.capabilities.soleClaimer
      ? new HandOff({
          owner: o.owner,
          clock: o.clock,
          concurrency: o.concurrency,
          running: () => this.running,
          lane: (tenant, slug) => this.lanes.get(tenant, slug),
          inFlight: () => this.lanes.total("inFlight"),
          held: () => this.lanes.total("held"),
          send: (lane, delivery) => this.send(lane, delivery),
          wake: () => this.wake(),
        })
      : null;
  }

  /** Loads destination states and starts the loop; where the store allows, leases of a previous run are released. */
  async start(): Promise<void> {
    await this.reloadStates();
    if (this.o.store.capabilities.releaseAllLeasesAtStart) await this.o.store.releaseLeases(null);
    if (this.o.store.subscribeWork) this.unsubscribe = await this.o.store.subscribeWork(() => this.notify());
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Re-reads destination states (enable/disable from the API). */
  async reloadStates(): Promise<void> {
    this.lanes.adopt(await this.o.store.listAllDestinationStates());
    this.notify();
  }

  /** Starts delivering to a destination, with its stored state if it has one; an existing one is updated. */
  async addDestination(destination: Destination): Promise<void> {
    const known = this.lanes.get(destination.tenant, destination.slug);
    this.lanes.put(destination, known ? undefined : await this.o.store.listAllDestinationStates());
    this.wake();
  }

  /**
   * Takes new settings for a destination (limits, rate, timeout, URL); slots in flight stay
   * counted. False when the worker has no such destination.
   */
  updateDestination(destination: Destination): boolean {
    const updated = this.lanes.update(destination);
    if (updated) this.wake();
    return updated;
  }

  /**
   * Stops claiming for a destination and handing deliveries off to it. Attempts in flight finish
   * and are recorded; deliveries waiting in memory stay in the store, leased until their leases end.
   * False when the worker has no such destination.
   */
  removeDestination(tenant: string, slug: string): boolean {
    return this.lanes.retire(tenant, slug);
  }

  /**
   * Tells the worker there may be new work in the store (a new event, a retry, a clock moved in a
   * test), for the given destinations of `tenant` or for all.
   */
  notify(destinations?: Iterable<string>, tenant: string = DEFAULT_TENANT): void {
    if (destinations === undefined) for (const lane of this.lanes) lane.markBacklog();
    else for (const slug of destinations) this.lanes.get(tenant, slug)?.markBacklog();
    this.wake();
  }

  private wake(): void {
    this.signal.wake();
  }

  /** Sends a delivery whose slot is already counted in its lane, and frees the slot when done. */
  private send(lane: Lane, delivery: ClaimedDelivery): void {
    const send = this.deliver(delivery, lane).finally(() => {
      lane.endSlot();
      this.sends.delete(send);
      this.handOff?.startWaiting(lane);
      this.wake();
    });
    this.sends.add(send);
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
    for (const lane of this.lanes) waited += lane.dropWaiting();
    if (waited > 0) {
      await this.o.store.releaseLeases(this.o.owner).catch((error: unknown) => {
        this.o.logger.error({ err: error }, "releasing the leases of deliveries waiting in memory failed");
      });
    }
  }

  /** A destination's current state, as the worker sees it. */
  stateOf(destination: string, tenant: string = DEFAULT_TENANT): DestinationState | undefined {
    return this.lanes.get(tenant, destination)?.state;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.signal.reset();
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

  /** Where other processes change destination states (disable, enable, a circuit), re-read now and then. */
  private async refreshSharedStates(): Promise<void> {
    const now = this.o.clock.now();
    if (!this.o.store.capabilities.sharedDestinationStates || now - this.statesReadAt < this.pollMs) return;
    this.statesReadAt = now;
    this.lanes.adopt(await this.o.store.listAllDestinationStates());
  }

  /** One claim round: deliveries waiting in memory first, then a claim the planner shapes. */
  private async claimAndSend(): Promise<number> {
    const now = this.o.clock.now();
    if (this.handOff) for (const lane of this.lanes) this.handOff.startWaiting(lane);
    this.lanes.sweep();
    // The sole claimer reads ahead: claimed deliveries may wait in memory for a slot.
    const readsAhead = this.handOff !== null;
    const snapshots: LaneSnapshot[] = [];
    for (const lane of this.lanes)
      if (!lane.retired) snapshots.push(lane.snapshot(now, this.pollMs, readsAhead));
    let inFlight = this.lanes.total("inFlight");
    const memory = readsAhead ? this.o.concurrency - this.lanes.total("held") : 0;
    const plan = planClaims(snapshots, this.o.concurrency - inFlight, memory);
    this.waiting = plan.waiting;
    if (plan.claims.length === 0) return 0;
    const claiming = new Map<string, { lane: Lane; mark: number }>();
    for (const { key } of plan.claims) {
      const lane = this.lanes.byLaneKey(key) as Lane;
      claiming.set(key, { lane, mark: lane.beginClaim(now) });
    }
    let result: Awaited<ReturnType<Store["claimDeliveries"]>>;
    try {
      result = await this.o.store.claimDeliveries(
        plan.claims.map((c) => c.request),
        now,
        now + plan.leaseMs,
        this.o.owner,
      );
    } finally {
      for (const { lane } of claiming.values()) lane.endClaim();
    }
    this.lanes.adopt(result.states);
    for (const h of result.held) this.waiting.set(storedLaneKey(h), h.until);
    const claimed = new Map<Lane, number>();
    const queued = new Set<Lane>();
    for (const delivery of result.deliveries) {
      const key = laneKey(delivery.tenant, delivery.destination);
      const lane = claiming.get(key)?.lane ?? this.lanes.byLaneKey(key);
      if (!lane) continue;
      claimed.set(lane, (claimed.get(lane) ?? 0) + 1);
      // What was claimed beyond the free slots waits in memory, in claim order, for the next ones.
      if (readsAhead && (lane.waiting > 0 || inFlight >= this.o.concurrency || lane.budget(now) <= 0)) {
        lane.reserve();
        lane.enqueue(delivery);
        queued.add(lane);
        continue;
      }
      lane.startSlot(now);
      inFlight++;
      this.send(lane, delivery);
    }
    for (const lane of queued) this.handOff?.startWaiting(lane);
    // Only the sole claimer can tell from a short claim that the store holds nothing more due.
    if (this.o.store.capabilities.soleClaimer) {
      for (const { key, request } of plan.claims) {
        const { lane, mark } = claiming.get(key) as { lane: Lane; mark: number };
        const drained = !request.fifo && (claimed.get(lane) ?? 0) < request.limit;
        if (drained && lane.mayHaveBacklog(now)) {
          lane.settleClear(
            mark,
            await this.o.store.nextDueAt([
              { tenant: lane.destination.tenant, destination: lane.destination.slug },
            ]),
          );
        }
      }
    }
    return result.deliveries.length;
  }

  private async deliver(delivery: ClaimedDelivery, lane: Lane): Promise<void> {
    const outcome = await attempt(delivery, lane.destination, this.attempts);
    if (outcome.destinationChange) {
      const now = this.o.clock.now();
      const before = destinationCircuit(lane.state, now);
      lane.applyChange(outcome.destinationChange);
      const after = destinationCircuit(lane.state, now);
      if (after !== before)
        this.emit("circuit", {
          tenant: delivery.tenant,
          destination: delivery.destination,
          from: before,
          to: after,
        });
    }
    if (outcome.status === "pending" && outcome.nextAttemptAt !== null)
      lane.clearNoLaterThan(outcome.nextAttemptAt);
    try {
      await this.recorder.submit(outcome);
      // The alert's own deliveries went into the store with it, to be claimed.
      if (outcome.alert)
        this.notify(
          outcome.alert.deliveries.map((d) => d.destination),
          outcome.alert.tenant,
        );
      this.emit("outcome", outcome, delivery);
    } catch (error) {
      // The lease expires and the delivery is attempted again: at least once, never lost.
      this.o.logger.error({ err: error, deliveryId: delivery.id }, "recording an attempt failed");
      lane.markBacklog();
      lane.clearNoLaterThan(delivery.leaseUntil);
    }
  }

  private async waitForWork(): Promise<void> {
    if (this.signal.pending) return;
    const now = this.o.clock.now();
    let until = now + this.pollMs;
    for (const at of this.waiting.values()) if (at !== null) until = Math.min(until, Math.max(at, now));
    const ready: DestinationKey[] = [];
    for (const lane of this.lanes) {
      if (!lane.retired && lane.state.state === "active" && !this.waiting.has(lane.key))
        ready.push({ tenant: lane.destination.tenant, destination: lane.destination.slug });
    }
    try {
      const due = await this.o.store.nextDueAt(ready);
      if (due !== null) until = Math.min(until, Math.max(due, now));
    } catch {
      // The store is unreachable: poll again later.
    }
    if (this.signal.pending || !this.running) return;
    if (this.sends.size === 0) this.emit("idle");
    await this.signal.sleep(until - now);
  }
}
