import type { EventSummary } from "../core/types.js";
import type { StreamSink } from "../operations/index.js";

/** Why a stream ended: its client went, the server ended it, or its client did not keep up. */
export type SseEnd = "client" | "server" | "overflow";

/** What an SSE stream needs from its connection and its route. */
export interface SseOptions {
  /** Bytes held for the client (queued here and in its socket) past which it is cut off when more comes. */
  maxBufferedBytes: number;
  /** The reconnection delay suggested to the client (`retry:`). */
  retryMs: number;
  /** Bytes the connection holds that its client has not taken yet (0 when there is no socket). */
  socketBacklog(): number;
  /** Closes the connection at once; false when there is none (the app called without a socket). */
  abort(): boolean;
  /** The SSE message of one event. */
  message(event: EventSummary): string;
  /** Told the bytes held for the client after each write. */
  onHeld(bytes: number): void;
  /** Told once, when the stream ends, why. */
  onEnd(why: SseEnd): void;
}

const encoder = new TextEncoder();

/**
 * A `text/event-stream` body that an event stream writes to. The server reads the body as the
 * socket drains, so what the client has not taken waits in the body's queue and in the socket's
 * buffer. With more than `maxBufferedBytes` of both held when more comes, the client is not
 * keeping up: rather than hold more, the stream drops its queue and closes the connection, and
 * the client resumes with the id of the last whole message it got (an SSE client drops a message
 * cut short).
 */
export class SseStream implements StreamSink {
  readonly body: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private ended = false;
  private waiter: ((room: boolean) => void) | null = null;

  constructor(private readonly o: SseOptions) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        // The server asks for more: the socket took what it had.
        pull: () => this.wakeWaiter(),
        cancel: () => this.finish("client"),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: o.maxBufferedBytes }),
    );
    this.write(`retry: ${o.retryMs}\n\n`);
  }

  /** Whether the stream has ended, for any reason. */
  get isEnded(): boolean {
    return this.ended;
  }

  send(events: readonly EventSummary[]): boolean {
    return this.write(events.map((e) => this.o.message(e)).join(""));
  }

  heartbeat(): boolean {
    return this.write(": keep-alive\n\n");
  }

  ready(): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    if (this.hasRoom()) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /**
   * Ends the stream from the server's side: with a clean end when the client has taken
   * everything; a client still holding bytes back would hold the server's shutdown, so its
   * connection is closed instead.
   */
  end(): void {
    if (this.ended) return;
    this.finish("server");
    if (this.held() === 0) this.controller?.close();
    else this.cut();
  }

  /** The client went before the stream was answered. */
  cancel(): void {
    this.finish("client");
  }

  /** Bytes held for the client: queued here, and in its socket. */
  held(): number {
    const queued = this.o.maxBufferedBytes - (this.controller?.desiredSize ?? this.o.maxBufferedBytes);
    return Math.max(0, queued) + this.o.socketBacklog();
  }

  private write(text: string): boolean {
    if (this.ended || !this.controller) return false;
    // Past the bound before this write: the client is not keeping up. A write is taken whole
    // (a page of events comes at once, before the socket can take any), so at most the bound
    // and one page are ever held.
    // Measured here as well as after the enqueue: a chunk the server has taken but not yet handed
    // to the socket is in neither count, so the most held may show only now (on Node 22 the server
    // takes each page as it is queued, and the peak showed nowhere else).
    const held = this.held();
    this.o.onHeld(held);
    if (held > this.o.maxBufferedBytes) {
      this.finish("overflow");
      this.cut();
      return false;
    }
    this.controller.enqueue(encoder.encode(text));
    this.o.onHeld(this.held());
    return true;
  }

  /**
   * Drops what is queued and closes the connection. Closed, the server cancels its read of the
   * body, which drops the queue; failing the body instead would have the server log the failure
   * and write it into the answer.
   */
  private cut(): void {
    if (!this.o.abort()) this.controller?.error(new Error("the event stream was cut off"));
  }

  /** Room for a page of older events: at most half the bound held. */
  private hasRoom(): boolean {
    return this.held() <= this.o.maxBufferedBytes / 2;
  }

  private wakeWaiter(): void {
    if (this.waiter && this.hasRoom()) {
      this.waiter(true);
      this.waiter = null;
    }
  }

  private finish(why: SseEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.waiter?.(false);
    this.waiter = null;
    this.o.onEnd(why);
  }
}
