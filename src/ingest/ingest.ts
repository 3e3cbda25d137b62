import type { IncomingHttpHeaders } from "node:http";
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

/** The ingest use case: size cap → verify the raw bytes → parse → classify → commit (dedupe in the store). */
export class Ingestor {
  constructor(
    private readonly sources: Pick<Topology, "source">,
    private readonly commit: Commit,
    private readonly clock: Clock,
    private readonly maxBodyBytes: number,
    private readonly plan: Plan = () => [],
  ) {}

  /** Whether a source of that slug exists (checked before reading any body). */
  hasSource(slug: string): boolean {
    return this.sources.source(slug) !== undefined;
  }

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
    const event = this.toEvent(entry, headers, parsed, body.body, receivedAt);
    if ("message" in event) return { kind: "invalid_event", message: event.message };

    try {
      const result = await this.commit(event);
      return { kind: "accepted", eventId: result.eventId, duplicate: result.duplicate, event };
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { kind: "unavailable" };
      throw error;
    }
  }

  private toEvent(
    entry: SourceEntry,
    headers: IncomingHttpHeaders,
    { value: parsed, truncated }: ParsedBody,
    body: Buffer,
    receivedAt: number,
  ): IncomingEvent | { message: string } {
    const source = entry.config;
    const tenant = resolveTenant(entry, parsed);
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
