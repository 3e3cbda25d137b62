import type { AttemptRecord, DeliveryRecord } from "../core/delivery-types.js";
import type { EventSummary, StoredEvent } from "../core/types.js";
import { parseBody } from "../ingest/json-text.js";
import type { DeliveryQuery, EventQuery, RequeueQuery } from "../storage/port.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";
import { type EventListFilters, type EventListPage, listEventPage, SEARCH_SCAN_LIMIT } from "./event-list.js";

/** What a replay of one event added. */
export interface ReplayResult {
  eventId: string;
  deliveries: { id: string; destination: string }[];
}

/** A tenant's events and deliveries: reading them, retrying, replaying. */
export class DeliveryOperations {
  /** The most events one body search examines (`q=`), newest first: its cost does not grow with the store. */
  searchScanLimit = SEARCH_SCAN_LIMIT;

  constructor(private readonly deps: OperationsDeps) {}

  /** The tenant's events, newest first. */
  listEvents(tenant: string, query: EventQuery): Promise<EventSummary[]> {
    return this.deps.store.forTenant(tenant).listEvents(query);
  }

  /** A page of the tenant's events by the list's filters (type globs, times, id, a bounded body search). */
  listEventPage(tenant: string, filters: EventListFilters): Promise<EventListPage> {
    return listEventPage(this.deps.store.forTenant(tenant), filters, this.searchScanLimit);
  }

  /** One of the tenant's events with its raw bytes. */
  async getEvent(tenant: string, id: string): Promise<StoredEvent> {
    const event = await this.deps.store.forTenant(tenant).getEvent(id);
    if (!event) throw new OperationError("not_found", "no event has that id");
    return event;
  }

  /** The tenant's deliveries, newest first. */
  listDeliveries(tenant: string, query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return this.deps.store.forTenant(tenant).listDeliveries(query);
  }

  /** One of the tenant's deliveries with its attempts. */
  async getDelivery(
    tenant: string,
    id: string,
  ): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] }> {
    const found = await this.deps.store.forTenant(tenant).getDelivery(id);
    if (!found) throw new OperationError("not_found", "no delivery has that id");
    return found;
  }

  /** Makes a delivery pending and due now, with a fresh deadline by its destination's policy. */
  async retry(tenant: string, id: string): Promise<DeliveryRecord> {
    const view = this.deps.store.forTenant(tenant);
    const found = await view.getDelivery(id);
    if (!found) throw new OperationError("not_found", "no delivery has that id");
    const now = this.deps.clock.now();
    const deadline = this.deps.planner.deadlineFor(tenant, found.delivery.destination, now);
    if (!Number.isFinite(deadline))
      throw new OperationError("not_found", "that delivery's destination is no longer configured");
    const updated = await view.retryDelivery(id, now, deadline);
    if (!updated) throw new OperationError("not_found", "no delivery has that id");
    this.deps.delivery.notify();
    this.deps.logger.info(
      { tenant, deliveryId: id, eventId: updated.eventId, destination: updated.destination },
      "delivery retried by hand: pending, due now",
    );
    return updated;
  }

  /**
   * Retries each of the tenant's dead letters among `ids` (see `retry`); an id that names no dead
   * letter of the tenant (another tenant's, one already back in the queue, or none) is skipped
   * and counted, never retried.
   */
  async retryDeadLetters(
    tenant: string,
    ids: readonly string[],
  ): Promise<{ retried: number; skipped: number }> {
    const view = this.deps.store.forTenant(tenant);
    let retried = 0;
    for (const id of new Set(ids)) {
      const found = await view.getDelivery(id);
      if (found?.delivery.status !== "failed") continue;
      try {
        await this.retry(tenant, id);
        retried++;
      } catch (error) {
        // Its destination is gone, or the delivery with it: it stays dead.
        if (!(error instanceof OperationError) || error.code !== "not_found") throw error;
      }
    }
    return { retried, skipped: new Set(ids).size - retried };
  }

  /**
   * New deliveries of a stored event, planned by the tenant's routes as they are now (so a fixed
   * filter or transform applies); `destinations` narrows them, and a named destination no route
   * sends the event to receives it as it is.
   */
  async replay(tenant: string, eventId: string, destinations?: readonly string[]): Promise<ReplayResult> {
    const view = this.deps.store.forTenant(tenant);
    const event = await view.getEvent(eventId);
    if (!event) throw new OperationError("not_found", "no event has that id");
    const { planner, topology } = this.deps;
    let wanted: Set<string> | null = null;
    if (destinations) {
      const unknown = destinations.filter((d) => !topology.destination(tenant, d));
      if (unknown.length > 0)
        throw new OperationError(
          "invalid_request",
          `no destination ${unknown.map((d) => `"${d}"`).join(", ")}`,
        );
      wanted = new Set(destinations);
    }
    const now = this.deps.clock.now();
    // Parsed as ingest parsed it, so a body too deep for JSON.parse is routed on its shallow levels.
    const parsed = parseBody(Buffer.from(event.body).toString("utf8"))?.value ?? null;
    const subject = {
      type: event.type,
      originalType: event.originalType,
      source: event.source,
      body: parsed,
    };
    const planned = planner
      .plan(tenant, subject, now)
      .filter((d) => wanted === null || wanted.has(d.destination));
    const unrouted = [...(wanted ?? [])].filter((d) => !planned.some((p) => p.destination === d));
    const targets = [
      ...planned.map((d) => ({ destination: d.destination, routes: d.routes, route: d.route ?? null })),
      ...unrouted.map((destination) => ({ destination, routes: [] as string[], route: null })),
    ];
    const deliveries = targets.map((t) =>
      planner.newDelivery(tenant, t.destination, t.routes, now, now, "replay", t.route),
    );
    if (!(await view.addDeliveries(event.id, deliveries, now)))
      throw new OperationError("not_found", "no event has that id");
    this.deps.delivery.notify();
    this.deps.logger.info(
      {
        tenant,
        eventId: event.id,
        deliveries: deliveries.map((d) => ({ id: d.id, destination: d.destination })),
      },
      "event replayed",
    );
    return {
      eventId: event.id,
      deliveries: deliveries.map((d) => ({ id: d.id, destination: d.destination })),
    };
  }

  /** Puts the tenant's matching dead letters (or successes) back in the queue; counts them on a dry run. */
  async bulkReplay(tenant: string, query: RequeueQuery): Promise<{ matched: number; enqueued: number }> {
    const now = this.deps.clock.now();
    const result = await this.deps.store
      .forTenant(tenant)
      .requeueDeliveries(query, now, (destination) =>
        this.deps.planner.deadlineFor(tenant, destination, now),
      );
    if (!query.dryRun) {
      this.deps.delivery.notify();
      this.deps.logger.info({ tenant, query, ...result }, "deliveries put back in the queue (bulk replay)");
    }
    return result;
  }
}
