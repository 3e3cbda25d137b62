import type { DeliveryRecord } from "../../core/delivery-types.js";
import { formatDuration } from "../../core/duration.js";
import { redactUrl } from "../../core/redact-url.js";
import type { DestinationOverview } from "../../operations/destinations.js";
import { Button, Hidden, Notice } from "../components.js";
import { circuitLabel, ms, OriginTag, successRate } from "./destinations-page.js";
import { time } from "./format.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";

/** A delivery's status in words and tone (a failed one is dead: it will not be tried again). */
function deliveryStatus(d: DeliveryRecord): { text: string; tone: string } {
  if (d.status === "failed") return { text: "dead", tone: "dead" };
  if (d.status === "succeeded") return { text: "succeeded", tone: "succeeded" };
  return { text: d.status, tone: "pending" };
}

/** A form of one button posting to one of the destination's actions. */
function ActionForm(props: {
  action: string;
  csrf: string;
  label: string;
  variant?: "primary" | "secondary" | "danger";
}) {
  return (
    <form method="post" action={props.action}>
      <Hidden name="csrf" value={props.csrf} />
      <Button variant={props.variant ?? "secondary"}>{props.label}</Button>
    </form>
  );
}

/**
 * One destination: its settings (secrets and the URL's secret-looking parts redacted), its health,
 * its newest deliveries, and for a run-time one the actions that change it.
 */
export function DestinationPage(props: {
  csrf: string;
  tenant: string;
  destination: DestinationOverview;
  deliveries: readonly DeliveryRecord[];
  notice?: string;
  error?: { message: string; code: string };
  /** A signing secret just made: shown this once. */
  secret?: string;
}) {
  const d = props.destination;
  const c = d.item.config;
  const q = tenantQuery(props.tenant);
  const base = `/destinations/${encodeURIComponent(c.slug)}`;
  const runTime = d.item.managedBy !== "config";
  const circuit = circuitLabel(d);
  return (
    <ConsoleLayout title={`Destination ${c.slug}`} section="/destinations" csrf={props.csrf}>
      <p>
        <a href={`/destinations${q}`}>← Destinations</a>
      </p>
      <h1>
        {c.slug} <OriginTag d={d} />
      </h1>
      {props.notice && <Notice tone="success">{props.notice}</Notice>}
      {props.error && (
        <div class="notice notice-error" role="alert">
          <p>{props.error.message}</p>
          <p class="error-code">
            Error code: <code>{props.error.code}</code>
          </p>
        </div>
      )}
      {props.secret && (
        <div class="notice secret-once" role="status">
          <p>
            <strong>The new signing secret, shown this once:</strong> copy it to the receiver now. It is kept
            sealed and never shown again.
          </p>
          <p>
            <code class="secret" id="signing-secret">
              {props.secret}
            </code>
          </p>
        </div>
      )}
      <div class="panel">
        <h2>Health</h2>
        <dl class="settings">
          <dt>State</dt>
          <dd class={d.state.state === "active" ? "status-succeeded" : "status-failed"}>
            {d.state.state}
            {d.state.disabledReason && <span class="hint"> ({d.state.disabledReason})</span>}
          </dd>
          <dt>Circuit</dt>
          <dd>
            <span class={`status-${circuit.tone}`}>{circuit.text}</span>
            {d.state.consecutiveFailures > 0 && (
              <span class="hint">
                {" "}
                ({d.state.consecutiveFailures} failure{d.state.consecutiveFailures === 1 ? "" : "s"} in a row)
              </span>
            )}
          </dd>
          <dt>Success, last hour</dt>
          <dd>
            {successRate(d)}
            <span class="hint">
              {" "}
              of {d.recent.attempts} attempt{d.recent.attempts === 1 ? "" : "s"}
            </span>
          </dd>
          <dt>Latency p50 / p99</dt>
          <dd class="mono">
            {ms(d.recent.p50Ms)} / {ms(d.recent.p99Ms)}
          </dd>
          <dt>Last error</dt>
          <dd>
            {d.recent.lastError
              ? `${d.recent.lastError.message} (${time(d.recent.lastError.at)})`
              : "none in the last hour"}
          </dd>
          <dt>Pending</dt>
          <dd>{d.pending}</dd>
          <dt>Last success</dt>
          <dd>{d.state.lastSuccessAt === null ? "never" : time(d.state.lastSuccessAt)}</dd>
        </dl>
        {runTime && (
          <div class="actions">
            {d.state.state === "active" ? (
              <ActionForm action={`${base}/disable${q}`} csrf={props.csrf} label="Disable" />
            ) : (
              <ActionForm action={`${base}/enable${q}`} csrf={props.csrf} label="Enable" variant="primary" />
            )}
          </div>
        )}
      </div>
      <div class="panel">
        <h2>Settings</h2>
        <dl class="settings">
          <dt>URL</dt>
          <dd class="mono">{redactUrl(c.url)}</dd>
          <dt>Defined</dt>
          <dd>{runTime ? "At run time (the API or this console)" : "In the config file: change it there"}</dd>
          <dt>Signing</dt>
          <dd>
            {c.signing.scheme}
            {c.signing.scheme !== "none" && (
              <span class="hint">
                {" "}
                ({c.signing.secrets.length} secret{c.signing.secrets.length === 1 ? "" : "s"}, [redacted])
              </span>
            )}
          </dd>
          <dt>Timeout</dt>
          <dd>{formatDuration(c.timeout)}</dd>
          <dt>Requests at once</dt>
          <dd>{c.maxConcurrency}</dd>
          <dt>Rate limit</dt>
          <dd>
            {c.rateLimit
              ? `${c.rateLimit.count}/${formatDuration(c.rateLimit.perMs).replace(/^1/, "")}`
              : "none"}
          </dd>
          <dt>Ordering</dt>
          <dd>{c.ordering === "fifo" ? "one at a time, oldest first" : "any order"}</dd>
          <dt>Retry delays</dt>
          <dd>
            {`${c.retry.schedule.map(formatDuration).join(", ")}; give up after ${formatDuration(c.retry.maxAge)}; jitter ${c.retry.jitter}`}
          </dd>
          <dt>Headers</dt>
          <dd>
            {Object.keys(c.headers).length === 0
              ? "none"
              : Object.keys(c.headers)
                  .map((h) => `${h}: [redacted]`)
                  .join(", ")}
          </dd>
        </dl>
        {runTime && (
          <div class="actions">
            <Button href={`${base}/edit${q}`}>Edit</Button>
            {c.signing.scheme !== "none" && (
              <ActionForm action={`${base}/rotate${q}`} csrf={props.csrf} label="Rotate signing secret" />
            )}
            <ActionForm action={`${base}/delete${q}`} csrf={props.csrf} label="Delete" variant="danger" />
          </div>
        )}
      </div>
      <div class="panel">
        <h2>Recent deliveries</h2>
        {props.deliveries.length === 0 ? (
          <p class="empty">No deliveries to this destination yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Deliveries to {c.slug}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="hide-narrow">
                    Last answer
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.deliveries.map((r) => {
                  const s = deliveryStatus(r);
                  return (
                    <tr>
                      <td class="mono">{time(r.createdAt)}</td>
                      <td>
                        <a href={`/events/${r.eventId}${q}`}>{r.eventType}</a>
                      </td>
                      <td class={`status-${s.tone}`}>
                        {s.text}
                        <div class="hint">
                          {r.attempts} attempt{r.attempts === 1 ? "" : "s"}
                        </div>
                      </td>
                      <td class="hide-narrow">
                        {r.lastStatus !== null ? `HTTP ${r.lastStatus}` : (r.lastError ?? "–")}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </ConsoleLayout>
  );
}
