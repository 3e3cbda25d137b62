import { randomBytes } from "node:crypto";
import type { DeliveryRecord } from "../core/delivery-types.js";
import type { FilterGroup } from "../core/filter.js";
import { newEventId } from "../core/ids.js";
import { INTEGRATION_SOURCE } from "../core/types.js";
import { installationTokenContext } from "../integration/token.js";
import { VercelApiError, type VercelProject } from "../integration/vercel-api.js";
import type { Installation } from "../storage/port.js";
import { eventCatalog, sampleEvent } from "../vercel/index.js";
import type { OperationsDeps } from "./context.js";
import { destinationUrlProblem, type HostResolver } from "./destination-url.js";
import { OperationError } from "./errors.js";
import type { TopologyItems } from "./topology-items.js";

/** The slugs of an installation's endpoint and of the route that chooses its events. */
export const RELAY_DESTINATION = "endpoint";
export const RELAY_ROUTE = "relay";

/** The field of an event that names its project. */
const PROJECT_FIELD = "payload.project.id";

/** Where an installation's events go, which, and of which projects. */
export interface RelaySettings {
  url: string;
  events: string[];
  /** Every project (and events about none), or only these projects' events and events about none. */
  projects: "all" | string[];
}

/** A group of event types a person may choose, as the setup page shows it. */
export interface EventGroup {
  category: string;
  label: string;
  /** The group's name inside a sentence: "All <noun> events". */
  noun: string;
  types: { type: string; description: string }[];
}

/** What a person submitted on the setup page. */
export interface RelayInput {
  url: string;
  /** Chosen event types. */
  events: readonly string[];
  /** Whole groups chosen (the "all … events" shortcuts). */
  groups: readonly string[];
  projects: "all" | readonly string[];
  /** The signing secret the page showed, for an endpoint not yet created. */
  secret: string | undefined;
}

const GROUP_NAMES: Record<string, [label: string, noun: string]> = {
  deployment: ["Deployments", "deployment"],
  check: ["Checks", "check"],
  "deployment-action": ["Deployment integration actions", "deployment action"],
  domain: ["Domains", "domain"],
  project: ["Projects", "project"],
  "project-domain": ["Project domains", "project domain"],
  "rolling-release": ["Rolling releases", "rolling release"],
  integration: ["Integration resources", "integration resource"],
  marketplace: ["Marketplace", "Marketplace"],
};

/**
 * The event types an installation may relay, grouped as the catalog groups them: current names
 * only (no legacy spellings), never the installation's own lifecycle events (those are acted on,
 * not relayed), nor Vercel's test event.
 */
export const EVENT_GROUPS: readonly EventGroup[] = (() => {
  const groups = new Map<string, EventGroup>();
  for (const entry of eventCatalog) {
    if (entry.legacy || entry.controlPlane || entry.category === "test") continue;
    let group = groups.get(entry.category);
    if (!group) {
      const [label, noun] = GROUP_NAMES[entry.category] ?? [entry.category, entry.category];
      group = { category: entry.category, label, noun, types: [] };
      groups.set(entry.category, group);
    }
    group.types.push({ type: entry.type, description: entry.description });
  }
  return [...groups.values()];
})();

const OFFERED = new Set(EVENT_GROUPS.flatMap((g) => g.types.map((t) => t.type)));
const SECRET = /^[A-Za-z0-9_-]{32,128}$/;

/** A new signing secret for an installation's endpoint: 192 bits in hex, as run-time destinations get. */
export function newSigningSecret(): string {
  return randomBytes(24).toString("hex");
}

/**
 * An installation's relay: one endpoint (a destination signed `x-vercel-signature` with the
 * installation's own secret) and one route from the integration's webhook choosing the event types
 * and projects. Made of the tenant's run-time topology items, so the engine relays, retries and
 * replays them as any other.
 */
export class RelayOperations {
  constructor(
    private readonly deps: OperationsDeps,
    private readonly destinations: TopologyItems<"destinations">,
    private readonly routes: TopologyItems<"routes">,
    private readonly resolve?: HostResolver,
  ) {}

  /** The installation's current settings; null before its first save. */
  async get(tenant: string): Promise<RelaySettings | null> {
    const destination = await this.find(this.destinations, tenant, RELAY_DESTINATION);
    const route = await this.find(this.routes, tenant, RELAY_ROUTE);
    if (!destination || !route) return null;
    return {
      url: destination.config.url,
      events: route.config.types ?? [],
      projects: projectsOf(route.config.filter),
    };
  }

  /** The projects the installation's token can see; `error` says why they could not be listed. */
  async projects(installation: Installation): Promise<{ projects: VercelProject[]; error: string | null }> {
    const vercel = this.deps.vercel;
    if (!vercel || !installation.accessToken) return { projects: [], error: "no Vercel token" };
    const token = this.deps.secrets.open(installation.accessToken, installationTokenContext(installation.id));
    try {
      return { projects: await vercel.listProjects(token, installation.teamId), error: null };
    } catch (error) {
      if (!(error instanceof VercelApiError)) throw error;
      return { projects: [], error: "Vercel did not list the projects right now" };
    }
  }

  /**
   * Saves the settings: validates them (issues by field name) and creates or updates the endpoint
   * and the route. Answers the signing secret when the endpoint was created with it.
   */
  async save(tenant: string, input: RelayInput): Promise<{ created: boolean }> {
    const issues: Record<string, string> = {};
    const urlProblem = await destinationUrlProblem(
      input.url.trim(),
      this.deps.allowPrivateNetworks,
      this.resolve,
    );
    if (urlProblem) issues.url = urlProblem;
    const events = chosenTypes(input.events, input.groups);
    if (events === null) issues.events = "choose only event types from the list";
    else if (events.length === 0) issues.events = "choose at least one event type";
    const projects = input.projects === "all" ? "all" : [...new Set(input.projects)];
    if (
      projects !== "all" &&
      (projects.length === 0 || projects.some((p) => !/^[A-Za-z0-9_-]{1,128}$/.test(p)))
    )
      issues.projects = "choose at least one project, or all projects";
    const existing = await this.find(this.destinations, tenant, RELAY_DESTINATION);
    if (!existing && (input.secret === undefined || !SECRET.test(input.secret)))
      issues.secret = "the signing secret is missing: reload the page";
    if (Object.keys(issues).length > 0) throw new RelayInputError(issues);
    const url = input.url.trim();
    if (existing) await this.destinations.update(tenant, RELAY_DESTINATION, { url });
    else
      await this.destinations.create(tenant, {
        slug: RELAY_DESTINATION,
        url,
        signing: { scheme: "vercel", secrets: [input.secret] },
      });
    const routeDoc = {
      types: events,
      filter: projects === "all" ? null : projectFilter(projects),
    };
    if (await this.find(this.routes, tenant, RELAY_ROUTE))
      await this.routes.update(tenant, RELAY_ROUTE, routeDoc);
    else
      await this.routes.create(tenant, {
        slug: RELAY_ROUTE,
        source: INTEGRATION_SOURCE,
        destinations: [RELAY_DESTINATION],
        ...routeDoc,
        filter: routeDoc.filter ?? undefined,
      });
    return { created: !existing };
  }

  /** Replaces the endpoint's signing secret with a new one, answered once. */
  async rotateSecret(tenant: string): Promise<string> {
    await this.requireEndpoint(tenant);
    const secret = newSigningSecret();
    await this.destinations.update(tenant, RELAY_DESTINATION, {
      signing: { scheme: "vercel", secrets: [secret] },
    });
    return secret;
  }

  /** Stores a `test-webhook` event for the installation and delivers it to its endpoint, whatever events it chose. */
  async sendTestEvent(installation: Installation): Promise<{ eventId: string }> {
    const tenant = installation.id;
    await this.requireEndpoint(tenant);
    const now = this.deps.clock.now();
    const sample = sampleEvent("test-webhook", { createdAt: now }) as {
      id: string;
      payload: Record<string, unknown>;
    };
    const payload = {
      ...sample.payload,
      team: installation.teamId ? { id: installation.teamId } : null,
      user: { id: installation.userId },
      installationId: installation.id,
      message: "This is a test event from Switchyard.",
    };
    const body = Buffer.from(JSON.stringify({ ...sample, payload }));
    const id = newEventId(now);
    const delivery = this.deps.planner.newDelivery(tenant, RELAY_DESTINATION, [], now, now, "manual", null);
    await this.deps.store.insertEvents([
      {
        id,
        tenant,
        source: INTEGRATION_SOURCE,
        externalId: sample.id,
        type: "test-webhook",
        originalType: "test-webhook",
        receivedAt: now,
        unknownType: false,
        schemaIssues: [],
        body,
        deliveries: [delivery],
      },
    ]);
    this.deps.delivery.notify();
    return { eventId: id };
  }

  /** The installation's latest deliveries, newest first. */
  recentDeliveries(tenant: string, limit = 50): Promise<DeliveryRecord[]> {
    return this.deps.store.forTenant(tenant).listDeliveries({ limit });
  }

  private async requireEndpoint(tenant: string): Promise<void> {
    if (!(await this.find(this.destinations, tenant, RELAY_DESTINATION)))
      throw new OperationError("not_found", "this installation has no endpoint yet: save its settings first");
  }

  private async find<K extends "destinations" | "routes">(
    items: TopologyItems<K>,
    tenant: string,
    slug: string,
  ) {
    try {
      return await items.get(tenant, slug);
    } catch (error) {
      if (error instanceof OperationError && error.code === "not_found") return null;
      throw error;
    }
  }
}

/** A refused save of the setup form: what is wrong, by field name. */
export class RelayInputError extends OperationError {
  constructor(readonly fields: Record<string, string>) {
    super("invalid_request", "the settings are not valid", Object.values(fields));
    this.name = "RelayInputError";
  }
}

/** The chosen types with whole groups expanded, in catalog order; null when one is not offered. */
function chosenTypes(events: readonly string[], groups: readonly string[]): string[] | null {
  const chosen = new Set(events);
  for (const category of groups) {
    const group = EVENT_GROUPS.find((g) => g.category === category);
    if (!group) return null;
    for (const { type } of group.types) chosen.add(type);
  }
  if ([...chosen].some((t) => !OFFERED.has(t))) return null;
  return EVENT_GROUPS.flatMap((g) => g.types.map((t) => t.type)).filter((t) => chosen.has(t));
}

/** Events of these projects, and events that are about no project (a domain, an invoice). */
function projectFilter(projects: readonly string[]): FilterGroup {
  return {
    logic: "or",
    conditions: [
      { field: PROJECT_FIELD, operator: "not_exists" },
      { field: PROJECT_FIELD, operator: "in", value: [...projects] },
    ],
  };
}

/** The projects a route's filter (as `projectFilter` made it) lets through. */
function projectsOf(filter: FilterGroup | undefined): "all" | string[] {
  if (!filter) return "all";
  for (const condition of filter.conditions) {
    if ("field" in condition && condition.field === PROJECT_FIELD && condition.operator === "in")
      return (condition.value as unknown[]).filter((v): v is string => typeof v === "string");
  }
  return "all";
}
