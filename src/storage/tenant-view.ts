import type { AttemptRecord, DeliveryRecord, DestinationState, NewDelivery } from "../core/delivery-types.js";
import type { EventSummary, StoredEvent } from "../core/types.js";
import type { DeliveryQuery, EventQuery, RequeueQuery, TenantStore } from "./port.js";

/**
 * What a backend implements for `forTenant`: each tenant-owned operation with the tenant as its
 * first argument, which every query it runs filters on.
 */
export interface TenantOps {
  listEvents(tenant: string, query: EventQuery): Promise<EventSummary[]>;
  getEvent(tenant: string, id: string): Promise<StoredEvent | null>;
  listDeliveries(tenant: string, query: DeliveryQuery): Promise<DeliveryRecord[]>;
  getDelivery(
    tenant: string,
    id: string,
  ): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null>;
  retryDelivery(tenant: string, id: string, now: number, deadlineAt: number): Promise<DeliveryRecord | null>;
  addDeliveries(
    tenant: string,
    eventId: string,
    deliveries: readonly NewDelivery[],
    now: number,
  ): Promise<boolean>;
  requeueDeliveries(
    tenant: string,
    query: RequeueQuery,
    now: number,
    deadlineFor: (destination: string) => number,
  ): Promise<{ matched: number; enqueued: number }>;
  listDestinationStates(tenant: string): Promise<DestinationState[]>;
  saveDestinationState(state: DestinationState): Promise<void>;
}

/** The view of `tenant`'s records over a backend's tenant operations. */
export function tenantView(tenant: string, ops: TenantOps): TenantStore {
  if (tenant === "") throw new Error("a tenant view needs a tenant");
  return {
    tenant,
    listEvents: (query) => ops.listEvents(tenant, query),
    getEvent: (id) => ops.getEvent(tenant, id),
    listDeliveries: (query) => ops.listDeliveries(tenant, query),
    getDelivery: (id) => ops.getDelivery(tenant, id),
    retryDelivery: (id, now, deadlineAt) => ops.retryDelivery(tenant, id, now, deadlineAt),
    addDeliveries: (eventId, deliveries, now) => ops.addDeliveries(tenant, eventId, deliveries, now),
    requeueDeliveries: (query, now, deadlineFor) => ops.requeueDeliveries(tenant, query, now, deadlineFor),
    listDestinationStates: () => ops.listDestinationStates(tenant),
    async saveDestinationState(state) {
      if (state.tenant !== tenant) {
        throw new Error(`a state of tenant "${state.tenant}" cannot be saved through tenant "${tenant}"`);
      }
      await ops.saveDestinationState(state);
    },
  };
}
