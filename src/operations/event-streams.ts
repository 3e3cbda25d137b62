import { EventEmitter } from "node:events";
import { setImmediate as yieldToIo } from "node:timers/promises";
import type { Logger } from "pino";
import type { EventSummary } from "../core/types.js";
import { WakeSignal } from "../core/wake-signal.js";
import type { Store, StreamedEvent, StreamPosition, TenantStore } from "../storage/port.js";
import { laterPosition } from "../storage/stream-positions.js";
import { compileRouteFilter } from "../topology/route-filter.js";
import { OperationError } from "./errors.js";

/** Where a stream starts: now, after an event it sent before (a reconnect), or at a time. */
export type StreamStart = { from: "now" } | { from: "event"; id: string } | { from: "time"; since: number };

/** Which events a stream sends: the event list's filters. */
export interface StreamFilter {
  source?: string | undefined;
  /** A type in either of Vercel's spellings, or a glob (`deployment.*`) as a route's `types` take. */
  type?: string | undefined;
  /** Only events received at or after this time (epoch ms). */
  since?: number | undefined;
}

/** The client's end of a stream, made by the transport (SSE). */
export interface StreamSink {
  /** Takes events in stream order; false when the client cannot keep up, and the sink has ended itself. */
  send(events: readonly EventSummary[]): boolean;
  /** A sign of life, sent to every stream now and then; false as for `send`. */
  heartbeat(): boolean;
  /** Resolves once the client has room for a page of older events; false once it has gone. */
  ready(): Promise<boolean>;
  /** Ends the stream from the server's side (shutdown). */
  end(): void;
}

/** How a client's stream is stopped: when it goes, or when its sink ended. Idempotent. */
export interface StreamSubscription {
  close(): void;
}

/** Timings and bounds of the event streams. */
export interface StreamSettings {
  /** How often each tenant's events are read without a wake (other nodes' events, alerts). */
  pollMs: number;
  /** How often every stream is sent a heartbeat. */
  heartbeatMs: number;
  /** Events per read. */
  pageSize: number;
  /**
   * Bytes held for one client, not taken by its socket yet, past which it is dropped when more
   * comes: at most this and one page are held for a client.
   */
  maxBufferedBytes: number;
  /** The reconnection delay streams suggest to their clients. */
  retryMs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  pollMs: 1000,
  heartbeatMs: 15_000,
  pageSize: 100,
  maxBufferedBytes: 1024 * 1024,
  retryMs: 1000,
};

/** What the event streams tell: a stream opened or ended, or the reading stopped (no stream left). */
interface EventStreamsEvents {
  change: [];
}

/** One client's stream: its tenant's feed, where it has read to, what it wants. */
interface Subscriber {
  feed: TenantFeed;
  /** Every event of the tenant up to here was sent, or filtered out. */
  position: StreamPosition;
  matches(event: EventSummary): boolean;
  sink: StreamSink;
  closed: boolean;
}

/** The shared reader of one tenant's events, and the streams it feeds. */
interface TenantFeed {
  tenant: string;
  view: TenantStore;
  /** Every event of the tenant up to here was read and handed to the live streams. */
  position: StreamPosition;
  /** Streams caught up with the feed: each page it reads is handed to them. */
  live: Set<Subscriber>;
  /** Streams of the tenant, live or catching up. */
  members: number;
}

/**
 * The live event streams of this process. One reader per tenant that has streams open, not one
 * per client: it reads the tenant's new events once (woken by this node's ingest commits, and
 * every `pollMs` for other nodes' events and the worker's alerts) and hands each page to every
 * stream of the tenant, each filtering by its own source, type and time. Reads go through the
 * tenant's store view, so a stream sees only its tenant's events, and in pages of `pageSize`.
 *
 * A stream that starts behind the feed (after an event, at a time) first reads the older events
 * itself, page by page as its client takes them, and joins the feed once it has caught up. The
 * feed does not wait for anyone: a client that falls behind is dropped by its sink, and comes
 * back with the id of the last event it got.
 */
export class EventStreams extends EventEmitter<EventStreamsEvents> {
  readonly settings: StreamSettings;
  private readonly feeds = new Map<string, TenantFeed>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly signal = new WakeSignal();
  private loop: Promise<void> | null = null;
  private heartbeats: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    settings: Partial<StreamSettings> = {},
  ) {
    super();
    this.settings = { ...DEFAULT_STREAM_SETTINGS, ...settings };
  }

  /** How many streams are open. */
  get open(): number {
    return this.subscribers.size;
  }

  /** Whether a read loop or the heartbeat timer is running (only while streams are open). */
  get active(): boolean {
    return this.loop !== null || this.heartbeats !== null;
  }

  /**
   * Streams the tenant's events that `filter` lets through to `sink`, in stream order, from
   * `start`. An event id that is not one of the tenant's is refused with `invalid_last_event_id`.
   */
  async subscribe(
    tenant: string,
    start: StreamStart,
    filter: StreamFilter,
    sink: StreamSink,
  ): Promise<StreamSubscription> {
    const matches = matcher(filter);
    const view = this.store.forTenant(tenant);
    const head = await this.store.streamHead();
    const position = await startPosition(view, start, head);
    if (this.closed) {
      sink.end();
      return { close: () => {} };
    }
    let feed = this.feeds.get(tenant);
    if (!feed) {
      feed = { tenant, view, position: head, live: new Set(), members: 0 };
      this.feeds.set(tenant, feed);
    }
    const sub: Subscriber = { feed, position, matches, sink, closed: false };
    feed.members++;
    this.subscribers.add(sub);
    if (sub.position >= feed.position) feed.live.add(sub);
    else void this.catchUp(sub);
    this.run();
    this.emit("change");
    return { close: () => this.leave(sub) };
  }

  /** New events were committed on this node: read them now rather than at the next poll. */
  wake(): void {
    if (this.feeds.size > 0) this.signal.wake();
  }

  /** Ends every stream and stops reading. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of [...this.subscribers]) {
      this.leave(sub);
      sub.sink.end();
    }
    this.signal.wake();
    await this.loop;
  }

  /** Starts the reading loop and the heartbeats if they are not running. */
  private run(): void {
    this.heartbeats ??= setInterval(() => this.beat(), this.settings.heartbeatMs);
    if (this.loop) return;
    this.loop = this.readLoop().finally(() => {
      this.loop = null;
      // A stream may have opened after the loop saw none, and before it ended.
      if (this.feeds.size > 0 && !this.closed) this.run();
      else this.emit("change");
    });
  }

  private async readLoop(): Promise<void> {
    while (this.feeds.size > 0 && !this.closed) {
      this.signal.reset();
      for (const feed of [...this.feeds.values()]) {
        try {
          await this.advance(feed);
        } catch (error) {
          // Read again at the next poll: the streams stay open, and miss nothing meanwhile.
          this.logger.warn(
            { tenant: feed.tenant, error: (error as Error).message },
            "event stream read failed",
          );
        }
      }
      await this.signal.sleep(this.settings.pollMs);
    }
  }

  /** Reads a feed's new events, page by page, and hands each to its live streams. */
  private async advance(feed: TenantFeed): Promise<void> {
    while (feed.live.size > 0 && this.feeds.get(feed.tenant) === feed) {
      const page = await feed.view.readStream(feed.position, this.settings.pageSize);
      for (const sub of [...feed.live]) this.deliver(sub, page.events);
      feed.position = laterPosition(feed.position, page.reached);
      if (page.events.length < this.settings.pageSize) return;
      // A read may answer at once (SQLite): without a turn of the event loop between pages, no
      // socket would take a byte of a backlog, and every client would look as if it had stalled.
      await yieldToIo();
    }
  }

  /**
   * Brings a stream that starts behind its feed up to it: reads the tenant's events from its
   * position, a page at a time when its client has room, until it is at or past the feed.
   */
  private async catchUp(sub: Subscriber): Promise<void> {
    const { feed } = sub;
    try {
      while (!sub.closed) {
        if (sub.position >= feed.position) {
          feed.live.add(sub);
          return;
        }
        if (!(await sub.sink.ready()) || sub.closed) return;
        // Every event up to the feed's position was final before this read began, so a page
        // that is not full has them all: the stream has reached the feed's position too.
        const target = feed.position;
        const page = await feed.view.readStream(sub.position, this.settings.pageSize);
        if (sub.closed) return;
        this.deliver(sub, page.events);
        if (page.events.length < this.settings.pageSize)
          sub.position = laterPosition(sub.position, laterPosition(page.reached, target));
      }
    } catch (error) {
      this.logger.warn({ tenant: feed.tenant, error: (error as Error).message }, "event stream read failed");
      this.leave(sub);
      sub.sink.end();
    }
  }

  /** Sends a stream the events of a page it has not had yet that it wants; drops it if it cannot keep up. */
  private deliver(sub: Subscriber, events: readonly StreamedEvent[]): void {
    if (sub.closed) return;
    const fresh = events.filter((e) => e.position > sub.position);
    const last = fresh.at(-1);
    if (!last) return;
    sub.position = last.position;
    const wanted = fresh.filter((e) => sub.matches(e.event)).map((e) => e.event);
    if (wanted.length > 0 && !sub.sink.send(wanted)) this.leave(sub);
  }

  private beat(): void {
    for (const sub of [...this.subscribers]) {
      if (!sub.sink.heartbeat()) this.leave(sub);
    }
  }

  /** Forgets a stream; the last stream of a tenant takes its feed with it, the last of all the timers. */
  private leave(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    this.subscribers.delete(sub);
    const { feed } = sub;
    feed.live.delete(sub);
    if (--feed.members === 0 && this.feeds.get(feed.tenant) === feed) this.feeds.delete(feed.tenant);
    if (this.subscribers.size === 0) {
      if (this.heartbeats) clearInterval(this.heartbeats);
      this.heartbeats = null;
      // The loop sees no feed and ends now, not after its sleep.
      this.signal.wake();
    }
    this.emit("change");
  }
}

/** Where a stream starts, as a position of the tenant's stream. */
async function startPosition(view: TenantStore, start: StreamStart, head: StreamPosition) {
  switch (start.from) {
    case "now":
      return head;
    case "time":
      return view.streamPositionAt(start.since);
    case "event": {
      const position = await view.streamPositionOf(start.id);
      if (position === null)
        throw new OperationError(
          "invalid_last_event_id",
          "the last event id names no event of this tenant (deleted by retention, or never one): reconnect without it",
        );
      return position;
    }
  }
}

/** The filter a stream applies to each event of its tenant. */
function matcher(filter: StreamFilter): (event: EventSummary) => boolean {
  const { source, type, since } = filter;
  const types = type ? compileRouteFilter({ types: [type] }) : null;
  return (e) =>
    (source === undefined || e.source === source) &&
    (since === undefined || e.receivedAt >= since) &&
    (types === null ||
      types.match({ type: e.type, originalType: e.originalType, source: e.source, body: null }));
}
