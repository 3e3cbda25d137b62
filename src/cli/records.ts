import type { StreamedEvent } from "./event-stream-client.js";
import { CliError } from "./exit-codes.js";
import { type ApiClient, apiClient, apiGet, okJson } from "./server-api.js";
import { type Style, styleFor } from "./terminal-style.js";
import { timeArg } from "./time-arg.js";

/** The options every command that reads a server's records takes. */
interface ServerOptions {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
  tenant?: string | undefined;
  json?: boolean | undefined;
}

/** An event as the API lists it (and the event stream sends it). */
export type EventRow = StreamedEvent;

/** A delivery as the API lists it. */
export interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  destination: string;
  status: "pending" | "succeeded" | "failed" | "skipped";
  attempts: number;
  updatedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface EventListOptions extends ServerOptions {
  type?: string | undefined;
  source?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  search?: string | undefined;
  limit?: string | undefined;
}

/** `switchyard events list`: the newest events, filtered as the API filters them. */
export async function eventsListCommand(options: EventListOptions): Promise<void> {
  const client = apiClient(options);
  const now = Date.now();
  const page = await okJson<Page<EventRow>>(
    await apiGet(client, "/events", {
      type: options.type,
      source: options.source,
      since: timeArg("since", options.since, now),
      until: timeArg("until", options.until, now),
      q: options.search,
      limit: options.limit,
    }),
    "the events list was",
  );
  if (options.json) return print(page);
  const style = styleFor(process.stdout);
  const lines = page.data.map((e) => eventLine(e, style));
  if (page.data.length === 0) lines.push("no events match");
  if (page.nextCursor) lines.push(style.dim(`… more: --until ${page.data.at(-1)?.receivedAt} or --limit`));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `switchyard events get ID`: one event with its payload; `--raw`, the body's bytes as received. */
export async function eventsGetCommand(
  id: string,
  options: ServerOptions & { raw?: boolean },
): Promise<void> {
  if (!id.startsWith("evt_"))
    throw new CliError(`"${id}" is not an event id (evt_…): see \`switchyard events list\``);
  const client = apiClient(options);
  if (options.raw) {
    const response = await apiGet(client, `/events/${id}/raw`);
    if (!response.ok) await okJson(response, `event ${id} was`);
    process.stdout.write(Buffer.from(await response.arrayBuffer()));
    return;
  }
  const event = await okJson<EventRow & { payload: unknown }>(
    await apiGet(client, `/events/${id}`),
    `event ${id} was`,
  );
  if (options.json) return print(event);
  const { payload, ...fields } = event;
  const lines = Object.entries(fields).map(([name, value]) => `${`${name}:`.padEnd(14)}${text(value)}`);
  process.stdout.write(`${lines.join("\n")}\npayload:\n${JSON.stringify(payload, null, 2)}\n`);
}

export interface DeliveryListOptions extends ServerOptions {
  status?: string | undefined;
  destination?: string | undefined;
  event?: string | undefined;
  limit?: string | undefined;
}

/** `switchyard deliveries list`: the newest deliveries; `--status dead` is the dead letters (`failed`). */
export async function deliveriesListCommand(options: DeliveryListOptions): Promise<void> {
  const client = apiClient(options);
  const status = options.status === "dead" ? "failed" : options.status;
  const page = await listDeliveries(client, {
    status,
    destination: options.destination,
    event: options.event,
    limit: options.limit,
  });
  if (options.json) return print(page);
  const style = styleFor(process.stdout);
  const lines = page.data.map((d) => deliveryLine(d, style));
  if (page.data.length === 0) lines.push("no deliveries match");
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** A page of the deliveries list. */
export async function listDeliveries(
  client: ApiClient,
  query: Record<string, string | undefined>,
): Promise<Page<DeliveryRow>> {
  return okJson<Page<DeliveryRow>>(await apiGet(client, "/deliveries", query), "the deliveries list was");
}

/** One event on one line: time, type, id, source, and what the catalog thinks of it. */
export function eventLine(e: EventRow, style: Style): string {
  const notes = [e.unknownType ? "unknown type" : "", e.schemaIssues.length ? "schema issues" : ""].filter(
    Boolean,
  );
  const note = notes.length ? `  ${style.yellow(notes.join(", "))}` : "";
  return `${e.receivedAt}  ${style.bold(e.type)}  ${e.id}  ${e.source}${note}`;
}

/** One delivery on one line: time, outcome, destination, attempts, the last answer or error, its ids. */
export function deliveryLine(d: DeliveryRow, style: Style): string {
  return `${d.updatedAt ?? "-"}  ${outcome(d, style)}  → ${d.destination}  ${d.eventType}  attempt ${d.attempts}${answer(d)}  ${style.dim(`${d.id} ${d.eventId}`)}`;
}

/** The delivery's state in a word: `dead` for a failed one (a dead letter), `retrying` for a pending one that failed. */
export function outcome(d: DeliveryRow, style: Style): string {
  if (d.status === "succeeded") return style.green("succeeded");
  if (d.status === "failed") return style.red("dead");
  if (d.status === "skipped") return style.dim("skipped");
  return d.attempts > 0 ? style.yellow("retrying") : "pending";
}

function answer(d: DeliveryRow): string {
  if (d.lastStatus !== null) return `  ${d.lastStatus}`;
  return d.lastError ? `  ${d.lastError}` : "";
}

const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
