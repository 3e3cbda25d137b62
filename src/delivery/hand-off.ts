import type { Clock } from "../core/clock.js";
import type { ClaimedDelivery, NewDelivery } from "../core/delivery-types.js";
import type { IncomingEvent } from "../core/types.js";
import { LEASE_MARGIN_MS } from "./claim-planner.js";
import type { Lane } from "./lane.js";

/** A due delivery of an event about to be committed, taken by this worker to send from memory. */
export interface TakenDelivery {
  event: IncomingEvent;
  delivery: NewDelivery;
  lane: Lane;
  /** No slot was free: it waits in memory for one rather than in the store for a claim. */
  queued: boolean;
}

/** What the hand-off needs of the worker it feeds. */
export interface HandOffHost {
  readonly owner: string;
  readonly clock: Clock;
  /** In-flight requests across all destinations, at most. */
  readonly concurrency: number;
  running(): boolean;
  lane(tenant: string, slug: string): Lane | undefined;
  /** Requests in flight across lanes. */
  inFlight(): number;
  /** Deliveries held in memory across lanes. */
  held(): number;
  /** Sends a delivery whose slot is already counted in its lane. */
  send(lane: Lane, delivery: ClaimedDelivery): void;
  wake(): void;
}

/**
 * The single-process hand-off: due deliveries of events being committed go into the store leased
 * to this worker, and are sent from memory once the commit is done, with no claim. Safe only where
 * this worker is the store's sole claimer (a shared store's limits hold in its claims).
 */
export class HandOff {
  constructor(private readonly host: HandOffHost) {}

  /**
   * Takes the due deliveries of `events`, which are about to be committed, that their destinations
   * may start now: each is leased to this worker in the same commit. Only while the store holds
   * nothing due for the destination that this worker has not claimed (older work goes first), and
   * never in fifo order. With every slot taken, a delivery may still wait in memory for one (up to
   * the destination's `maxConcurrency` of them, and the worker's `concurrency` in all), under a
   * lease long enough for that wait: at full load a claim would only read back what was just
   * written. A due delivery not taken waits in the store for a claim.
   */
  reserve(events: readonly IncomingEvent[]): TakenDelivery[] {
    const h = this.host;
    if (!h.running()) return [];
    const now = h.clock.now();
    let free = h.concurrency - h.inFlight();
    const room = () => h.held() < h.concurrency;
    const taken: TakenDelivery[] = [];
    for (const event of events) {
      for (const delivery of event.deliveries) {
        const lane = h.lane(event.tenant, delivery.destination);
        if (!lane) continue;
        if (delivery.nextAttemptAt > now) {
          lane.clearNoLaterThan(delivery.nextAttemptAt);
          continue;
        }
        const timeout = lane.destination.timeout;
        if (free > 0 && lane.mayStartFromMemory(now)) {
          lane.startSlot(now);
          free--;
          delivery.lease = { owner: h.owner, until: now + timeout + LEASE_MARGIN_MS };
          taken.push({ event, delivery, lane, queued: false });
        } else if (lane.mayWaitInMemory(now, room)) {
          lane.reserve();
          // The wait is at most one timeout: the slots it waits for end by then.
          delivery.lease = { owner: h.owner, until: now + 2 * timeout + LEASE_MARGIN_MS };
          taken.push({ event, delivery, lane, queued: true });
        } else {
          lane.markBacklog();
        }
      }
    }
    return taken;
  }

  /**
   * Sends the deliveries `reserve` took whose events `stored` says were committed; gives back the
   * slots of the others (a duplicate event, a failed commit). A delivery committed while the worker
   * stops stays leased in the store: a single-process store releases it at the next start.
   */
  dispatch(taken: readonly TakenDelivery[], stored: (event: IncomingEvent) => boolean): void {
    const queued = new Set<Lane>();
    const running = this.host.running();
    for (const { event, delivery, lane, queued: waits } of taken) {
      if (!running || lane.retired || !stored(event) || !delivery.lease) {
        if (waits) lane.unreserve();
        else lane.endSlot();
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
        lane.enqueue(claimed);
        queued.add(lane);
      } else this.host.send(lane, claimed);
    }
    for (const lane of queued) this.startWaiting(lane);
    if (taken.length > 0) this.host.wake();
  }

  /**
   * Starts the deliveries waiting in memory (handed off, or claimed ahead) that the destination's
   * limits let start now. One whose lease no longer covers an attempt is left to the store, to be
   * claimed once that lease ends.
   */
  startWaiting(lane: Lane): void {
    const h = this.host;
    // Called at the end of every send: the common case, nothing waiting, costs no clock read.
    if (lane.waiting === 0 || !h.running()) return;
    // A removed destination starts nothing more: what waits stays in the store, leased until its leases end.
    if (lane.retired) {
      lane.dropWaiting();
      return;
    }
    const now = h.clock.now();
    while (lane.waiting > 0 && h.inFlight() < h.concurrency) {
      const next = lane.nextWaiting() as ClaimedDelivery;
      if (now + lane.destination.timeout + LEASE_MARGIN_MS / 2 > next.leaseUntil) {
        lane.takeWaiting();
        lane.markBacklog();
        lane.clearNoLaterThan(next.leaseUntil);
        continue;
      }
      if (lane.budget(now) <= 0) return;
      lane.takeWaiting();
      lane.startSlot(now);
      h.send(lane, next);
    }
  }
}
