import { ActionOperations } from "./actions.js";
import { ConsoleSessions } from "./console-sessions.js";
import type { OperationsDeps } from "./context.js";
import { DeliveryOperations } from "./deliveries.js";
import { DestinationHealth } from "./destinations.js";
import type { EventStreams } from "./event-streams.js";
import { InstallFlow } from "./install-flow.js";
import { InstallationOperations } from "./installations.js";
import { OverviewOperations } from "./overview.js";
import { RelayOperations } from "./relay-settings.js";
import { RouteTests } from "./route-tests.js";
import { RunSettingsOperations } from "./run-settings.js";
import { TenantOperations } from "./tenants.js";
import { TopologyItems } from "./topology-items.js";

export type { DeliverySignals, OperationsDeps } from "./context.js";
export { OperationError, type OperationErrorCode } from "./errors.js";
export { type EventListFilters, type EventListPage, typeQuery } from "./event-list.js";
export {
  DEFAULT_STREAM_SETTINGS,
  EventStreams,
  type StreamFilter,
  type StreamSettings,
  type StreamSink,
  type StreamStart,
  type StreamSubscription,
} from "./event-streams.js";

/**
 * The use cases of Switchyard, each taking the tenant it acts for. The HTTP API, the CLI and the
 * pages call these and nothing below them.
 */
export class Operations {
  readonly sources: TopologyItems<"sources">;
  readonly destinations: TopologyItems<"destinations">;
  readonly routes: TopologyItems<"routes">;
  readonly health: DestinationHealth;
  /** The console's overview of a tenant: traffic per minute, queue, destinations. */
  readonly overview: OverviewOperations;
  readonly deliveries: DeliveryOperations;
  readonly tenants: TenantOperations;
  readonly routeTests: RouteTests;
  readonly installations: InstallationOperations;
  readonly installFlow: InstallFlow;
  readonly relay: RelayOperations;
  readonly actions: ActionOperations;
  /** Live streams of each tenant's new events. */
  readonly eventStreams: EventStreams;
  readonly runSettings: RunSettingsOperations;

  readonly #deps: OperationsDeps;

  constructor(deps: OperationsDeps) {
    this.#deps = deps;
    this.sources = new TopologyItems("sources", deps);
    this.destinations = new TopologyItems("destinations", deps);
    this.routes = new TopologyItems("routes", deps);
    this.health = new DestinationHealth(deps, this.destinations);
    this.overview = new OverviewOperations(deps, this.health);
    this.deliveries = new DeliveryOperations(deps);
    this.tenants = new TenantOperations(deps);
    this.routeTests = new RouteTests(deps);
    this.installations = new InstallationOperations(deps);
    this.installFlow = new InstallFlow(deps);
    this.relay = new RelayOperations(deps, this.destinations, this.routes);
    this.actions = new ActionOperations(deps);
    this.eventStreams = deps.eventStreams;
    this.runSettings = new RunSettingsOperations(deps, this.relay);
  }

  /** The console's sign-in and sessions, for the holder of `adminToken`. */
  consoleSessions(adminToken: string): ConsoleSessions {
    return new ConsoleSessions(this.#deps, adminToken);
  }
}
