import { connectionLine, followEvents, type StreamedEvent } from "./event-stream-client.js";
import { EXIT } from "./exit-codes.js";
import { type DeliveryRow, deliveryLine, eventLine, listDeliveries } from "./records.js";
import { type ApiClient, apiClient } from "./server-api.js";
import { styleFor } from "./terminal-style.js";

export interface TailOptions {
  types?: string | undefined;
  source?: string | undefined;
  tenant?: string | undefined;
  json?: boolean | undefined;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

/** How often the deliveries of the events being watched are asked for. */
const POLL_MS = 1_000;
/** At most this many events have their deliveries watched; the oldest watch ends first. */
const MAX_WATCHED = 100;

/**
 * `switchyard tail`: one line per new event (from the server's event stream) and one per
 * delivery outcome. Outcomes are not streamed by the server: the deliveries of each event seen are
 * asked for each second (`GET /deliveries?event=`) until none is pending, and each attempt's
 * result is printed once. `--json` prints NDJSON: `{"kind":"event",…}` and `{"kind":"delivery",…}`.
 */
export async function tailCommand(options: TailOptions): Promise<number> {
  const client = apiClient(options);
  const out = process.stdout;
  const style = styleFor(out);
  const json = Boolean(options.json);
  const say = (line: string) => {
    // Words for a person go to stderr under --json, so that stdout stays NDJSON.
    (json ? process.stderr : out).write(`${line}\n`);
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const watch = new Watch(client, (d) => {
    out.write(json ? `${JSON.stringify({ kind: "delivery", ...d })}\n` : `${deliveryLine(d, style)}\n`);
  });
  const polling = watch.run(stop.signal);
  try {
    await followEvents({
      base: client.base,
      token: client.token,
      tenant: client.tenant === "default" ? undefined : client.tenant,
      type: options.types,
      source: options.source,
      start: "now",
      signal: stop.signal,
      onEvent: async (event: StreamedEvent) => {
        out.write(json ? `${JSON.stringify({ kind: "event", ...event })}\n` : `${eventLine(event, style)}\n`);
        watch.add(event.id);
      },
      onConnection: (state, reason) => say(connectionLine(state, client.base, reason, style)),
    });
  } finally {
    stop.abort();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await polling;
  }
  return EXIT.ok;
}

/** The events whose deliveries are being watched, and the last state printed of each delivery. */
class Watch {
  private readonly events = new Set<string>();
  private readonly printed = new Map<string, string>();

  constructor(
    private readonly client: ApiClient,
    private readonly print: (d: DeliveryRow) => void,
  ) {}

  add(eventId: string): void {
    this.events.add(eventId);
    if (this.events.size > MAX_WATCHED) this.events.delete(this.events.values().next().value as string);
  }

  /** Asks for the watched events' deliveries each `POLL_MS` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      for (const eventId of [...this.events]) {
        if (signal.aborted) return;
        try {
          await this.poll(eventId);
        } catch {
          // The server is away: the stream says so, and the next round asks again.
          break;
        }
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, POLL_MS);
        signal.addEventListener("abort", done);
      });
    }
  }

  /** Prints what changed in one event's deliveries; the event's watch ends once none is pending. */
  private async poll(eventId: string): Promise<void> {
    const page = await listDeliveries(this.client, { event: eventId, limit: "200" });
    for (const d of [...page.data].reverse()) {
      const state = `${d.status}:${d.attempts}`;
      // Nothing happened yet to a delivery waiting for its first attempt.
      if ((d.status === "pending" && d.attempts === 0) || this.printed.get(d.id) === state) continue;
      this.printed.set(d.id, state);
      this.print(d);
    }
    if (page.data.every((d) => d.status !== "pending")) {
      this.events.delete(eventId);
      for (const d of page.data) this.printed.delete(d.id);
    }
  }
}
