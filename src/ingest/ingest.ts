import type { IncomingHttpHeaders } from "node:http";
import type { RunCommand } from "../core/action-types.js";
import type { Clock } from "../core/clock.js";
import type { NewDelivery } from "../core/delivery-types.js";
import type { FilterSubject } from "../core/filter.js";
import { newEventId } from "../core/ids.js";
import { wellFormed } from "../core/text.js";
import type { IncomingEvent, IngestResult } from "../core/types.js";
import { StoreUnavailableError } from "../storage/port.js";
import type { SourceEntry } from "../topology/entries.js";
import type { Topology } from "../topology/live.js";
import { classifyEvent } from "../vercel/index.js";
import { MAX_PARSED_DEPTH, type ParsedBody, parseBody } from "./json-text.js";
import type { BodyRead } from "./read-body.js";
import { externalIdOf, hasSignatureHeaders, verifyRequest } from "./schemes.js";
import { resolveTenant } from "./tenant.js";

/** The flag of an event nested too deeply to be parsed whole: stored as received, classified from its shallow levels. */
const TRUNCATED = `(root): nested too deeply to parse whole; classified and routed on its first ${MAX_PARSED_DEPTH} levels`;

/** Every way an ingest request can end; the HTTP layer maps each to one status in one place. */
export type IngestOutcome =
  | { kind: "accepted"; eventId: string; duplicate: boolean; event: IncomingEvent }
  | { kind: "unknown_source" }
  | { kind: "too_large"; maxBytes: number }
  | { kind: "overloaded" }
  | { kind: "aborted" }
  | { kind: "invalid_signature"; bodyUnread?: true }
  | { kind: "invalid_json" }
  | { kind: "invalid_event"; message: string }
  | { kind: "unavailable" };

/** Where accepted events go: resolves once the event's transaction has committed. */
export type Commit = (event: IncomingEvent) => Promise<IngestResult>;

/** Plans the deliveries of an event (the routes that match it). */
export type Plan = (tenant: string, subject: FilterSubject, receivedAt: number) => NewDelivery[];

/**
 * A source whose events belong to the tenants their payload names (an integration's one webhook
 * serving every installation). `entry` verifies its requests; `entry.tenant` keeps the events no
 * tenant claims.
 */
export interface SharedSource {
  entry: SourceEntry;
  /** The tenants an accepted event belongs to; none: `entry.tenant`. */
  tenantsOf(type: string, body: unknown): Promise<string[]>;
  /** Whether events of this type are relayed (planned by the tenants' routes) or only stored. */
  relays(type: string): boolean;
  /** The deployment actions an event asks of a tenant, stored in the event's commit. */
  actionsOf?(type: string, body: unknown, tenant: string, receivedAt: number): RunCommand[];
  /** Runs once the event is stored for its tenants (a repeat too); a throw fails the request. */
  afterStored?(type: string, body: unknown, tenants: readonly string[]): Promise<void>;
}

/** The ingest use case: size cap → verify the raw bytes → parse → classify → commit (dedupe in the store). */
export class Ingestor {
  constructor(
    private readonly sources: Pick<Topology, "source">,
    private readonly commit: Commit,
    private readonly clock: Clock,
    private readonly maxBodyBytes: number,
    private readonly plan: Plan = () => [],
  ) {}

  /**
   * Runs one ingest request through every step and says how it ended. `verified` is called once
   * the signature has been checked, whatever the verdict: the body is no longer unverified.
   */
  async ingest(
    slug: string,
    headers: IncomingHttpHeaders,
    read: (maxBytes: number) => Promise<BodyRead>,
    verified?: () => void,
  ): Promise<IngestOutcome> {
    const entry = this.sources.source(slug);
    if (!entry) return { kind: "unknown_source" };
    const received = await this.receive(entry, headers, read, verified);
    if ("kind" in received) return received;
    const event = this.toEvent(entry, headers, received.parsed, received.body, received.receivedAt);
    if ("message" in event) return { kind: "invalid_event", message: event.message };
    try {
      const result = await this.commit(event);
      return { kind: "accepted", eventId: result.eventId, duplicate: result.duplicate, event };
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { kind: "unavailable" };
      throw error;
    }
  }

  /**
   * Ingest for a source whose events belong to the tenants their payload names: the event is
   * stored once for each (deduplicated per tenant), planned by each tenant's routes unless the
   * source keeps it from being relayed, and `afterStored` runs once all are stored, for a repeat
   * too, so that an action interrupted before its answer is done when the sender retries.
   */
  async ingestShared(
    shared: SharedSource,
    headers: IncomingHttpHeaders,
    read: (maxBytes: number) => Promise<BodyRead>,
    verified?: () => void,
  ): Promise<IngestOutcome> {
    const received = await this.receive(shared.entry, headers, read, verified);
    if ("kind" in received) return received;
    // Checked and classified once, before any tenant is looked up.
    const first = this.toEvent(
      shared.entry,
      headers,
      received.parsed,
      received.body,
      received.receivedAt,
      shared.entry.tenant,
    );
    if ("message" in first) return { kind: "invalid_event", message: first.message };
    try {
      const named = await shared.tenantsOf(first.type, received.parsed.value);
      const tenants = named.length > 0 ? [...new Set(named)] : [shared.entry.tenant];
      const relay = shared.relays(first.type);
      // Each tenant's copy is planned by that tenant's routes.
      const subject = {
        type: first.type,
        originalType: first.originalType,
        source: first.source,
        body: received.parsed.value,
      };
      const events = tenants.map((tenant): IncomingEvent => {
        const actions =
          shared.actionsOf?.(first.type, received.parsed.value, tenant, received.receivedAt) ?? [];
        return {
          ...first,
          id: newEventId(received.receivedAt),
          tenant,
          deliveries: relay ? this.plan(tenant, subject, received.receivedAt) : [],
          ...(actions.length > 0 ? { actions } : {}),
        };
      });
      const results = await Promise.all(events.map((e) => this.commit(e)));
      await shared.afterStored?.(first.type, received.parsed.value, tenants);
      const [result] = results as [IngestResult, ...IngestResult[]];
      return {
        kind: "accepted",
        eventId: result.eventId,
        duplicate: results.every((r) => r.duplicate),
        event: events[0] as IncomingEvent,
      };
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { kind: "unavailable" };
      throw error;
    }
  }

  /** Signature headers → size cap → verify the raw bytes → parse; a refusal, or the parsed body. */
  private async receive(
    entry: SourceEntry,
    headers: IncomingHttpHeaders,
    read: (maxBytes: number) => Promise<BodyRead>,
    verified?: () => void,
  ): Promise<
    Exclude<IngestOutcome, { kind: "accepted" }> | { body: Buffer; parsed: ParsedBody; receivedAt: number }
  > {
    const source = entry.config;
    // Unsigned: refused before a byte of the body is read (or held).
    if (!hasSignatureHeaders(source, headers)) return { kind: "invalid_signature", bodyUnread: true };
    const body = await read(this.maxBodyBytes);
    if (body.kind !== "ok") {
      if (body.kind === "too_large") return { kind: "too_large", maxBytes: this.maxBodyBytes };
      return body.kind === "over_budget" ? { kind: "overloaded" } : { kind: "aborted" };
    }
    const receivedAt = this.clock.now();
    const authentic = verifyRequest(source, body.body, headers, receivedAt);
    verified?.();
    if (!authentic) return { kind: "invalid_signature" };
    const parsed = parseBody(body.body.toString("utf8"));
    if (parsed === null) return { kind: "invalid_json" };
    return { body: body.body, parsed, receivedAt };
  }

  private toEvent(
    entry: SourceEntry,
    headers: IncomingHttpHeaders,
    { value: parsed, truncated }: ParsedBody,
    body: Buffer,
    receivedAt: number,
    /** The tenant, when the caller knows it; else resolved from the source and the body. */
    tenantOf?: string,
  ): IncomingEvent | { message: string } {
    const source = entry.config;
    const tenant = tenantOf ?? resolveTenant(entry, parsed);
    // Each event is one object literal with its fields in one order (no spread): every event then
    // shares one hidden class, and building one costs no inline-cache miss.
    if (source.kind === "vercel") {
      const envelope = parsed as { id?: unknown; type?: unknown } | null;
      if (envelope === null || typeof envelope !== "object" || Array.isArray(envelope)) {
        return { message: "a Vercel event must be a JSON object" };
      }
      if (typeof envelope.id !== "string" || envelope.id === "")
        return { message: "a Vercel event needs a string `id`" };
      if (typeof envelope.type !== "string" || envelope.type === "") {
        return { message: "a Vercel event needs a string `type`" };
      }
      const c = classifyEvent(parsed);
      const subject = { type: c.canonicalType, originalType: c.type, source: source.slug, body: parsed };
      return {
        id: newEventId(receivedAt),
        tenant,
        source: source.slug,
        receivedAt,
        body,
        externalId: wellFormed(envelope.id),
        type: wellFormed(c.canonicalType),
        originalType: wellFormed(c.type),
        unknownType: !c.known,
        schemaIssues: truncated ? [...c.schemaIssues, TRUNCATED] : c.schemaIssues,
        deliveries: this.plan(tenant, subject, receivedAt),
      };
    }
    const type =
      parsed !== null && typeof parsed === "object" && "type" in parsed && typeof parsed.type === "string"
        ? wellFormed(parsed.type)
        : "unknown";
    const externalId = externalIdOf(source, headers, parsed);
    return {
      id: newEventId(receivedAt),
      tenant,
      source: source.slug,
      receivedAt,
      body,
      externalId: externalId === null ? null : wellFormed(externalId),
      type,
      originalType: type,
      unknownType: false,
      schemaIssues: truncated ? [TRUNCATED] : [],
      deliveries: this.plan(
        tenant,
        { type, originalType: type, source: source.slug, body: parsed },
        receivedAt,
      ),
    };
  }
}
