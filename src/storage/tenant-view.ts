import type {
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  DestinationState,
  NewDelivery,
} from "../core/delivery-types.js";
import type { EventSummary, StoredEvent } from "../core/types.js";
import type {
  DeliveryQuery,
  EventQuery,
  EventSearch,
  EventSearchPage,
  MinuteActivity,
  RecentAttempt,
  RequeueQuery,
  StreamPage,
  StreamPosition,
  TenantStore,
  TopologyKind,
  TopologyRecord,
  TopologyTable,
} from "./port.js";

/**
 * What a backend implements for `forTenant`: each tenant-owned operation with the tenant as its
 * first argument, which every query it runs filters on.
 */
export interface TenantOps {
  listEvents(tenant: string, query: EventQuery): Promise<EventSummary[]>;
  searchEvents(tenant: string, query: EventSearch): Promise<EventSearchPage>;
  getEvent(tenant: string, id: string): Promise<StoredEvent | null>;
  readStream(tenant: string, after: StreamPosition, limit: number): Promise<StreamPage>;
  streamPositionOf(tenant: string, id: string): Promise<StreamPosition | null>;
  streamPositionAt(tenant: string, time: number): Promise<StreamPosition>;
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
  pendingByDestination(tenant: string): Promise<Record<string, number>>;
  recentAttempts(tenant: string, since: number, limit: number): Promise<RecentAttempt[]>;
  activityByMinute(tenant: string, since: number, until: number): Promise<MinuteActivity[]>;
  countDeliveries(tenant: string, status: DeliveryStatus): Promise<number>;
  saveDestinationState(state: DestinationState): Promise<void>;
  topology: TopologyOps;
}

/** A backend's topology rows, the kind and the tenant first. */
export interface TopologyOps {
  list(kind: TopologyKind, tenant: string): Promise<TopologyRecord[]>;
  get(kind: TopologyKind, tenant: string, slug: string): Promise<TopologyRecord | null>;
  /** `create` adds only a new slug; `update` replaces only an existing one. */
  write(
    mode: "create" | "update",
    row: {
      kind: TopologyKind;
      tenant: string;
      slug: string;
      definition: string;
      secrets: string | null;
      now: number;
    },
  ): Promise<TopologyRecord | null>;
  delete(kind: TopologyKind, tenant: string, slug: string): Promise<boolean>;
}

function topologyTable(kind: TopologyKind, tenant: string, ops: TopologyOps): TopologyTable {
  const write =
    (mode: "create" | "update") =>
    (slug: string, definition: unknown, secrets: readonly string[] | null, now: number) =>
      ops.write(mode, {
        kind,
        tenant,
        slug,
        definition: JSON.stringify(definition ?? null),
        secrets: secrets === null ? null : JSON.stringify(secrets),
        now,
      });
  return {
    list: () => ops.list(kind, tenant),
    get: (slug) => ops.get(kind, tenant, slug),
    create: write("create"),
    update: write("update"),
    delete: (slug) => ops.delete(kind, tenant, slug),
  };
}

/** The view of `tenant`'s records over a backend's tenant operations. */
export function tenantView(tenant: string, ops: TenantOps): TenantStore {
  if (tenant === "") throw new Error("a tenant view needs a tenant");
  return {
    tenant,
    listEvents: (query) => ops.listEvents(tenant, query),
    searchEvents: (query) => ops.searchEvents(tenant, query),
    getEvent: (id) => ops.getEvent(tenant, id),
    readStream: (after, limit) => ops.readStream(tenant, after, limit),
    streamPositionOf: (id) => ops.streamPositionOf(tenant, id),
    streamPositionAt: (time) => ops.streamPositionAt(tenant, time),
    listDeliveries: (query) => ops.listDeliveries(tenant, query),
    getDelivery: (id) => ops.getDelivery(tenant, id),
    retryDelivery: (id, now, deadlineAt) => ops.retryDelivery(tenant, id, now, deadlineAt),
    addDeliveries: (eventId, deliveries, now) => ops.addDeliveries(tenant, eventId, deliveries, now),
    requeueDeliveries: (query, now, deadlineFor) => ops.requeueDeliveries(tenant, query, now, deadlineFor),
    listDestinationStates: () => ops.listDestinationStates(tenant),
    pendingByDestination: () => ops.pendingByDestination(tenant),
    recentAttempts: (since, limit) => ops.recentAttempts(tenant, since, limit),
    activityByMinute: (since, until) => ops.activityByMinute(tenant, since, until),
    countDeliveries: (status) => ops.countDeliveries(tenant, status),
    sources: topologyTable("sources", tenant, ops.topology),
    destinations: topologyTable("destinations", tenant, ops.topology),
    routes: topologyTable("routes", tenant, ops.topology),
    async saveDestinationState(state) {
      if (state.tenant !== tenant) {
        throw new Error(`a state of tenant "${state.tenant}" cannot be saved through tenant "${tenant}"`);
      }
      await ops.saveDestinationState(state);
    },
  };
}
