import { DataFileError, fsReason, makePrivateDir } from "../private-files.js";
import { signVercelBody } from "../signatures/vercel.js";
import { VERSION } from "../version.js";
import {
  connectionLine,
  endsTheStream,
  followEvents,
  type StreamedEvent,
  type StreamStart,
} from "./event-stream-client.js";
import { CliError, EXIT } from "./exit-codes.js";
import { listenStateDir, localSecret, positionFile, readPosition, writePosition } from "./listen-state.js";
import { apiClient, apiGet } from "./server-api.js";
import { clockTime, styleFor } from "./terminal-style.js";
import { timeArg } from "./time-arg.js";

export interface ListenOptions {
  forwardTo: string;
  types?: string | undefined;
  source?: string | undefined;
  tenant?: string | undefined;
  from?: string | undefined;
  secret?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

/** How long the local app has to answer one event. */
const FORWARD_TIMEOUT_MS = 30_000;

/**
 * `switchyard listen --forward-to URL`: follows a running server's event stream and POSTs each
 * event's raw bytes to a local URL, signed again with a local secret, one line per event. The
 * position (the last event handled) is kept on disk per server, tenant and forward URL, so a new
 * run resumes where the last stopped. A forward that fails is printed and passed: the position
 * moves past it, so a crashing app neither stops the stream nor has it sent again at every start
 * (`--from <its id>` sends it again). Resolves with the exit code once Ctrl-C stopped it.
 */
export async function listenCommand(options: ListenOptions): Promise<number> {
  const forwardTo = forwardUrl(options.forwardTo);
  const client = apiClient(options);
  const { base, token, tenant } = client;
  const dir = listenStateDir();
  const { secret, file: secretFile } = privately(() => {
    makePrivateDir(dir);
    return localSecret(dir, options.secret);
  });
  const file = positionFile(dir, base, tenant, forwardTo);
  const kept = readPosition(file);
  const start = startOf(options.from, kept?.lastEventId);
  const out = process.stdout;
  const style = styleFor(out);
  // Ctrl-C is ours before anything is printed: a user (or a script) may press it at once.
  const stop = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C does not wait for the forward in flight.
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const tenantNote = tenant === "default" ? "" : ` (tenant ${tenant})`;
  out.write(
    [
      `Forwarding events of ${base}${tenantNote} to ${forwardTo}`,
      `Signing x-vercel-signature with the local secret ${style.bold(secret)}${secretFile ? ` (kept in ${secretFile}; --secret to choose one)` : ""}`,
      startLine(start, options.from, file),
      "Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  const counts = { forwarded: 0, failed: 0 };
  const api = (path: string) => apiGet(client, path);

  const forward = async (event: StreamedEvent): Promise<void> => {
    const raw = await api(`/events/${event.id}/raw`);
    const head = `${clockTime(event.receivedAt)}  ${event.type}  ${event.id}`;
    if (raw.status === 404) {
      out.write(`${head}  ${style.yellow("skipped: no longer on the server")}\n`);
    } else if (!raw.ok) {
      // The server cannot answer now: the stream is made again after the last event handled.
      throw new Error(`the server answered ${raw.status} for the body of ${event.id}`);
    } else {
      const body = Buffer.from(await raw.arrayBuffer());
      const result = await post(forwardTo, body, secret);
      if (result.ok) counts.forwarded++;
      else counts.failed++;
      const status = result.status === undefined ? "failed" : String(result.status);
      const paint = result.ok
        ? style.green
        : result.status !== undefined && result.status < 500
          ? style.yellow
          : style.red;
      const why = result.error ? `  ${result.error}` : "";
      out.write(`${head}  ${paint(status)}  ${result.ms} ms${why}\n`);
    }
    try {
      writePosition(file, {
        server: base,
        tenant,
        forwardTo,
        lastEventId: event.id,
        updatedAt: new Date().toISOString(),
      });
    } catch (error) {
      // Going on would forward again, at the next start, what was already forwarded.
      throw endsTheStream(
        new CliError(
          `cannot keep the position in ${file}: ${fsReason(error)}; set SWITCHYARD_STATE_DIR to a folder you can write`,
        ),
      );
    }
  };

  try {
    let from = start;
    if (typeof from === "object" && "first" in from) {
      // Starting at an event includes it: it is read and forwarded, then the stream resumes after it.
      const found = await api(`/events/${from.first}`);
      if (found.status === 404)
        throw new CliError(`--from ${from.first}: no such event on ${base}${tenantNote}`);
      if (!found.ok) throw new CliError(`--from ${from.first}: the server answered ${found.status}`);
      await forward((await found.json()) as StreamedEvent);
      from = { after: from.first };
    }
    await followEvents({
      base,
      token,
      tenant: tenant === "default" ? undefined : tenant,
      type: options.types,
      source: options.source,
      start: from,
      signal: stop.signal,
      onEvent: forward,
      onConnection: (state, reason) => out.write(`${connectionLine(state, base, reason, style)}\n`),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const failed = counts.failed ? `, ${counts.failed} failed` : "";
  const events = counts.forwarded === 1 ? "event" : "events";
  out.write(`\nStopped: ${counts.forwarded} ${events} forwarded${failed}.\n`);
  return EXIT.ok;
}

/** The forward URL, or a CliError with an example of one. */
function forwardUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--forward-to must be a URL, e.g. http://localhost:3000/api/webhooks (got "${text}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CliError(`--forward-to must be an http or https URL, e.g. http://localhost:3000/api/webhooks`);
  return url.href;
}

type ListenStart = StreamStart | { first: string };

/** Where to start: `--from` (an event id, a time, `now`), else after the position kept, else now. */
function startOf(from: string | undefined, kept: string | undefined): ListenStart {
  if (from === undefined) return kept ? { after: kept } : "now";
  if (from === "now") return "now";
  if (/^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(from)) return { first: from };
  if (from.startsWith("evt_"))
    throw new CliError(`--from ${from} is not an event id (evt_ and 26 characters)`);
  try {
    return { since: timeArg("from", from, Date.now()) as string };
  } catch {
    throw new CliError(
      `--from takes an event id (evt_…), a time (ISO 8601, or a duration ago such as 1h), or now; got "${from}"`,
    );
  }
}

function startLine(start: ListenStart, from: string | undefined, file: string): string {
  if (start === "now") return "Starting with the events that arrive from now on.";
  if ("first" in start) return `Starting at ${start.first}.`;
  if ("since" in start) return `Starting with the events received since ${start.since}.`;
  return from === undefined
    ? `Resuming after ${start.after}, where the last run stopped (--from now to skip what came meanwhile; kept in ${file}).`
    : `Starting after ${start.after}.`;
}

/** Runs a setup step on the state folder; a file system failure is a CliError naming the folder. */
function privately<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof DataFileError)
      throw new CliError(`${error.message}: set SWITCHYARD_STATE_DIR to a folder you can write`);
    throw error;
  }
}

/** One forward: the status, or the error that stopped it, and how long it took. */
interface ForwardResult {
  ok: boolean;
  status?: number;
  error?: string;
  ms: number;
}

/** POSTs the raw bytes to the local app, signed as Vercel signs them. */
async function post(url: string, body: Buffer, secret: string): Promise<ForwardResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": `Switchyard/${VERSION} listen`,
        "x-vercel-signature": signVercelBody(body, secret),
      },
      body,
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { ok: response.ok, status: response.status, ms: ms() };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? cause.code : (error as Error).name;
    const hint =
      code === "ECONNREFUSED"
        ? ": is your app running?"
        : code === "TimeoutError"
          ? `: no answer in ${FORWARD_TIMEOUT_MS / 1000} s`
          : "";
    return { ok: false, error: `(${code}${hint})`, ms: ms() };
  }
}
