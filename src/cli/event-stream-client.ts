import { CliError, EXIT } from "./exit-codes.js";
import { callServer } from "./server-api.js";
import type { Style } from "./terminal-style.js";

/** An event as the stream's `data:` shows it (the events list's JSON). */
export interface StreamedEvent {
  id: string;
  externalId: string | null;
  source: string;
  tenant: string;
  type: string;
  receivedAt: string;
  unknownType: boolean;
  schemaIssues: string[];
}

/** Where a stream starts: after an event, at a time, or now. */
export type StreamStart = { after: string } | { since: string } | "now";

export interface FollowOptions {
  base: string;
  token: string;
  tenant?: string | undefined;
  type?: string | undefined;
  source?: string | undefined;
  start: StreamStart;
  /** Ends the stream: `follow` then resolves. */
  signal: AbortSignal;
  /** Called for each event in order; the next is read only once it has resolved. */
  onEvent: (event: StreamedEvent) => Promise<void>;
  /** Called once the stream is open, when the connection is lost and when it is back, for the user to see. */
  onConnection?: (state: "open" | "lost" | "back", reason?: string) => void;
  /** How long without a byte (not even the server's keep-alive, every 15 s) before the connection is taken as dead. */
  idleMs?: number;
}

/** One Server-Sent Events message; comments are dropped. */
interface Message {
  id?: string;
  event?: string;
  data?: string;
}

function parseMessage(block: string): Message {
  const message: Message = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = value;
    else if (field === "event") message.event = value;
    else if (field === "data")
      message.data = message.data === undefined ? value : `${message.data}\n${value}`;
  }
  return message;
}

/** The stream's URL for a start, with the filters. */
function streamUrl(o: FollowOptions, start: StreamStart): string {
  const query = new URLSearchParams();
  if (o.tenant) query.set("tenant", o.tenant);
  if (o.type) query.set("type", o.type);
  if (o.source) query.set("source", o.source);
  if (start !== "now" && "since" in start) query.set("since", start.since);
  if (start !== "now" && "after" in start) query.set("lastEventId", start.after);
  const text = query.toString();
  return `${o.base}/api/v1/events/stream${text ? `?${text}` : ""}`;
}

/**
 * Follows a server's event stream until `signal` aborts, handing each event to `onEvent` once, in
 * order. A dropped connection is made again after the last event handled (`Last-Event-ID`), so
 * nothing is missed and nothing comes twice; before any event, at the time the first connection
 * was made. The first connection's failure, and any refusal (a bad token, an unknown event id),
 * is a CliError naming the fix; a server gone later is waited for.
 */
export async function followEvents(o: FollowOptions): Promise<void> {
  let start = o.start;
  let connected = false;
  let lost = false;
  let wait = 250;
  if (start === "now") start = { since: new Date().toISOString() };
  // The first connection starts now; a later one, where nothing came yet, at that same time.
  const first = o.start === "now" ? "now" : start;
  while (!o.signal.aborted) {
    const from = connected ? start : first;
    try {
      await readStream(
        o,
        from,
        (id) => {
          start = { after: id };
        },
        () => {
          if (!connected) o.onConnection?.("open");
          else if (lost) o.onConnection?.("back");
          connected = true;
          wait = 250;
          lost = false;
        },
      );
      if (o.signal.aborted) return;
      if (!lost) o.onConnection?.("lost", "the server closed the stream");
    } catch (error) {
      if (o.signal.aborted) return;
      if (error instanceof CliError && (!connected || error.exitCode !== EXIT.couldNotRun || refused(error)))
        throw error;
      if (!lost) o.onConnection?.("lost", (error as Error).message);
    }
    lost = true;
    await delay(wait, o.signal);
    wait = Math.min(wait * 2, 5_000);
  }
}

const refusals = new WeakSet<CliError>();
const refused = (error: CliError) => refusals.has(error);

/** Marks an error `onEvent` throws as the end of the stream, not a connection to make again. */
export function endsTheStream(error: CliError): CliError {
  refusals.add(error);
  return error;
}

/** One connection: reads messages until the stream ends, the connection drops or `signal` aborts. */
async function readStream(
  o: FollowOptions,
  start: StreamStart,
  handled: (id: string) => void,
  opened: () => void,
): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  o.signal.addEventListener("abort", stop);
  let idle: NodeJS.Timeout | undefined;
  try {
    const url = streamUrl(o, start);
    const response = await callServer(o.base, url, {
      headers: { authorization: `Bearer ${o.token}`, accept: "text/event-stream" },
      signal: abort.signal,
    });
    if (!response.ok) throw await refusal(response);
    if (!response.body) throw new Error("the server answered without a stream");
    opened();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const idleMs = o.idleMs ?? 45_000;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(stop, idleMs);
    };
    arm();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      arm();
      buffer += decoder.decode(value, { stream: true }).replaceAll("\r\n", "\n");
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        const message = parseMessage(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message.event !== "event" || message.id === undefined || message.data === undefined) continue;
        clearTimeout(idle);
        await o.onEvent(JSON.parse(message.data) as StreamedEvent);
        handled(message.id);
        if (o.signal.aborted) return;
        arm();
      }
    }
  } finally {
    clearTimeout(idle);
    o.signal.removeEventListener("abort", stop);
    abort.abort();
  }
}

/** The server's refusal of a stream, as a CliError that says what to do. */
async function refusal(response: Response): Promise<CliError> {
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  const fix =
    body.code === "unauthorized"
      ? ": pass the server's admin token with --token or SWITCHYARD_ADMIN_TOKEN"
      : body.code === "invalid_last_event_id"
        ? ": the event to resume after is not on this server (purged, or another server's); start again with --from now or --from <time>"
        : "";
  const error = new CliError(
    `the server refused the event stream (${response.status} ${body.code ?? "error"}: ${body.message ?? "no message"})${fix}`,
    response.status >= 500 ? EXIT.couldNotRun : EXIT.no,
  );
  if (response.status < 500) refusals.add(error);
  return error;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** What `listen` and `tail` say when their stream opens, drops and comes back. */
export function connectionLine(
  state: "open" | "lost" | "back",
  base: string,
  reason: string | undefined,
  style: Style,
): string {
  if (state === "open") return `Connected to ${base}: waiting for events.`;
  if (state === "lost") return style.yellow(`Connection to ${base} lost (${reason}): reconnecting.`);
  return `${style.green("Reconnected")}: resuming after the last event handled.`;
}
