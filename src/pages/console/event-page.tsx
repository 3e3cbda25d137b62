import type { AttemptRecord, DeliveryRecord } from "../../core/delivery-types.js";
import type { StoredEvent } from "../../core/types.js";
import { Button } from "../components.js";
import { time } from "./format.js";
import { ConsoleLayout } from "./layout.js";
import { type PageScope, scopedTenantQuery } from "./page-scope.js";

function statusOf(d: DeliveryRecord): { text: string; tone: string } {
  if (d.status === "failed") return { text: "dead", tone: "dead" };
  if (d.status === "succeeded") return { text: "succeeded", tone: "succeeded" };
  return { text: d.status, tone: "pending" };
}

/** One attempt in a line: when, what triggered it, the answer or the error, how long. */
function attemptLine(a: AttemptRecord): string {
  const outcome = a.status !== null ? `HTTP ${a.status}` : (a.error ?? "no answer");
  const why = a.errorMessage ? `: ${a.errorMessage}` : "";
  return `Attempt ${a.number} · ${time(a.startedAt)} · ${a.trigger} · ${outcome}${why} · ${a.durationMs} ms`;
}

/** What the destination answered: its headers, then its body (base64 when it was not text). */
function responseText(a: AttemptRecord): string {
  const headers = Object.entries(a.responseHeaders ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  const body = a.responseBodyEncoding === "base64" ? `(base64) ${a.responseBody}` : (a.responseBody ?? "");
  return headers ? `${headers}\n\n${body}` : body;
}

/** The payload as a person reads it: indented when it parses, else as it came. */
function pretty(body: Uint8Array): string {
  const text = Buffer.from(body).toString("utf8");
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One event: what it is, its payload, its deliveries with their attempts, and replay. */
export function EventPage(props: {
  csrf: string;
  scope: PageScope;
  event: StoredEvent;
  deliveries: readonly { delivery: DeliveryRecord; attempts: readonly AttemptRecord[] }[];
  notice?: string;
}) {
  const { event, scope } = props;
  const tq = scopedTenantQuery(scope, event.tenant);
  const action = `${scope.base}/events/${event.id}/replay${tq}`;
  return (
    <ConsoleLayout title={`Event ${event.id}`} section="/events" csrf={props.csrf} scope={scope}>
      <p>
        <a href={`${scope.base}/events${tq}`}>← Events</a>
      </p>
      <h1>{event.type}</h1>
      {props.notice && (
        <div class="notice notice-success" role="status">
          <p>{props.notice}</p>
        </div>
      )}
      <div class="panel">
        <dl class="settings">
          <dt>Event</dt>
          <dd class="mono">{event.id}</dd>
          <dt>Received</dt>
          <dd>{time(event.receivedAt)}</dd>
          <dt>Source</dt>
          <dd>{event.source}</dd>
          <dt>Tenant</dt>
          <dd>{event.tenant}</dd>
          <dt>Sender's id</dt>
          <dd class="mono">{event.externalId ?? "none"}</dd>
          {event.originalType !== event.type && (
            <>
              <dt>Sent as</dt>
              <dd>{event.originalType}</dd>
            </>
          )}
          <dt>Signature</dt>
          <dd>Verified on ingest</dd>
          <dt>Catalog</dt>
          <dd>
            {event.unknownType
              ? "Not a type in the catalog"
              : event.schemaIssues.length === 0
                ? "Matches the catalog's schema"
                : `${event.schemaIssues.length} difference${event.schemaIssues.length === 1 ? "" : "s"} from the catalog's schema`}
          </dd>
        </dl>
        {event.schemaIssues.length > 0 && (
          <ul class="attempts">
            {event.schemaIssues.map((issue) => (
              <li>{issue}</li>
            ))}
          </ul>
        )}
      </div>
      <div class="panel">
        <details open>
          <summary>Payload</summary>
          <pre class="payload" id="payload" tabindex={0}>
            {pretty(event.body)}
          </pre>
        </details>
      </div>
      <div class="panel">
        <h2>Deliveries</h2>
        {props.deliveries.length === 0 ? (
          <p class="empty">No route sent this event anywhere.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Destination</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col" class="hide-narrow">
                    Replay
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.deliveries.map(({ delivery, attempts }) => {
                  const status = statusOf(delivery);
                  return (
                    <tr>
                      <td>{delivery.destination}</td>
                      <td>
                        <span class={`status status-${status.tone}`}>{status.text}</span>
                        {delivery.nextAttemptAt !== null && delivery.status === "pending" && (
                          <span class="hint"> next {time(delivery.nextAttemptAt)}</span>
                        )}
                      </td>
                      <td>
                        {attempts.length === 0 ? (
                          <span class="empty">none yet</span>
                        ) : (
                          <ul class="attempts">
                            {attempts.map((a) => (
                              <li>
                                {attemptLine(a)}
                                {a.responseBody !== null && a.responseBody !== "" && (
                                  <details>
                                    <summary>Response</summary>
                                    <pre class="payload" tabindex={0}>
                                      {responseText(a)}
                                    </pre>
                                  </details>
                                )}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td class="hide-narrow">
                        <form method="post" action={action}>
                          <input type="hidden" name="csrf" value={props.csrf} />
                          <input type="hidden" name="destination" value={delivery.destination} />
                          <Button variant="secondary">Replay here</Button>
                        </form>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <form method="post" action={action} class="actions">
          <input type="hidden" name="csrf" value={props.csrf} />
          <Button>Replay to every route</Button>
        </form>
      </div>
    </ConsoleLayout>
  );
}
