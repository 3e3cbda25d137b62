import type { DeliveryRecord } from "../../core/delivery-types.js";
import { Button, Notice } from "../components.js";
import { type DeadLetterFilters, deadLettersQuery, isFiltered } from "./dead-letter-filters.js";
import { ConsoleLayout } from "./layout.js";

/** A time as its UTC day and time of day, which wrap apart on a narrow screen. */
function Time(props: { ms: number }) {
  const [day, rest] = new Date(props.ms).toISOString().split("T");
  return (
    <time datetime={new Date(props.ms).toISOString()}>
      <span class="day">{day}</span> {rest?.replace(/\.\d+Z$/, "Z")}
    </time>
  );
}

/** What the destination last answered: its status, and the error when it says more. */
function lastAnswer(d: DeliveryRecord): { head: string; more: string | null } {
  if (d.lastStatus === null) return { head: d.lastError ?? "no answer", more: null };
  const head = `HTTP ${d.lastStatus}`;
  return { head, more: d.lastError && d.lastError !== head ? d.lastError : null };
}

/** A count as people read it: 1,234. */
export const count = (n: number) => n.toLocaleString("en-US");

/** The filters as hidden fields, for a form that carries them on. */
function HiddenFilters(props: { filters: DeadLetterFilters }) {
  const { filters } = props;
  const fields = {
    destination: filters.destination,
    type: filters.type,
    since: filters.since,
    until: filters.until,
  };
  return (
    <>
      {filters.tenant !== "default" && <input type="hidden" name="tenant" value={filters.tenant} />}
      {Object.entries(fields).map(
        ([name, value]) => value && <input type="hidden" name={name} value={value} />,
      )}
    </>
  );
}

/**
 * The tenant's dead letters (deliveries that ended failed) newest first, filtered, a page at a
 * time (the cursor is the last delivery's id: no OFFSET); select some to replay, or replay all
 * that match after a dry run.
 */
export function DeadLettersPage(props: {
  csrf: string;
  filters: DeadLetterFilters;
  deliveries: readonly DeliveryRecord[];
  nextCursor: string | null;
  notice?: string;
}) {
  const { filters } = props;
  const tenantQuery = filters.tenant === "default" ? "" : `?tenant=${encodeURIComponent(filters.tenant)}`;
  return (
    <ConsoleLayout title="Dead letters" section="/dead-letters" csrf={props.csrf}>
      <h1>Dead letters</h1>
      <search aria-label="Filter dead letters">
        <form method="get" action="/dead-letters" class="panel filters">
          <div class="field">
            <label for="f-tenant">Tenant</label>
            <input id="f-tenant" name="tenant" value={filters.tenant} />
          </div>
          <div class="field">
            <label for="f-destination">Destination</label>
            <input id="f-destination" name="destination" value={filters.destination} placeholder="hooks" />
          </div>
          <div class="field">
            <label for="f-type">Type</label>
            <input id="f-type" name="type" value={filters.type} placeholder="deployment.created" />
          </div>
          <div class="field">
            <label for="f-since">Died since (UTC)</label>
            <input id="f-since" name="since" type="datetime-local" value={filters.since} />
          </div>
          <div class="field">
            <label for="f-until">Died before (UTC)</label>
            <input id="f-until" name="until" type="datetime-local" value={filters.until} />
          </div>
          <div>
            <Button>Filter</Button>
          </div>
        </form>
      </search>
      {props.notice && <Notice tone="success">{props.notice}</Notice>}
      <div class="panel">
        {props.deliveries.length === 0 ? (
          <p class="empty">No dead letters match.</p>
        ) : (
          <form method="post" action={`/dead-letters/replay${deadLettersQuery(filters)}`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Dead letters, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span class="visually-hidden">Select</span>
                    </th>
                    <th scope="col">Died</th>
                    <th scope="col">Type</th>
                    <th scope="col" class="hide-narrow">
                      Event
                    </th>
                    <th scope="col" class="hide-narrow">
                      Destination
                    </th>
                    <th scope="col" class="hide-narrow">
                      Attempts
                    </th>
                    <th scope="col">Last answer</th>
                  </tr>
                </thead>
                <tbody>
                  {props.deliveries.map((d) => (
                    <tr>
                      <td class="select-cell">
                        <input
                          type="checkbox"
                          name="delivery"
                          value={d.id}
                          id={`select-${d.id}`}
                          aria-label={`Select ${d.eventType} to ${d.destination} (${d.id})`}
                        />
                      </td>
                      <td class="mono died">
                        <Time ms={d.updatedAt} />
                      </td>
                      <td class="dead-type">
                        <a href={`/events/${d.eventId}${tenantQuery}`}>{d.eventType}</a>
                        <span class="narrow-only hint">to {d.destination}</span>
                      </td>
                      <td class="hide-narrow">
                        <a class="mono" href={`/events/${d.eventId}${tenantQuery}`}>
                          {d.eventId}
                        </a>
                      </td>
                      <td class="hide-narrow">{d.destination}</td>
                      <td class="hide-narrow">{d.attempts}</td>
                      <td class="last-answer">
                        <span class="status-failed">{lastAnswer(d).head}</span>
                        {lastAnswer(d).more && <span class="hint"> {lastAnswer(d).more}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p class="actions-row">
              <Button>Replay selected</Button>
            </p>
          </form>
        )}
        {props.nextCursor && (
          <p class="pager">
            <a href={`/dead-letters${deadLettersQuery(filters, { cursor: props.nextCursor })}`}>
              Older dead letters
            </a>
          </p>
        )}
      </div>
      {props.deliveries.length > 0 && (
        <form method="get" action="/dead-letters/replay-all" class="panel">
          <h2>Replay all that match</h2>
          <p>
            {isFiltered(filters)
              ? "Every dead letter the filters above match, on every page, back in the queue."
              : "No filter is set: every dead letter of this tenant, on every page, back in the queue."}{" "}
            The next page counts them before anything changes.
          </p>
          <HiddenFilters filters={filters} />
          {!isFiltered(filters) && <input type="hidden" name="all" value="1" />}
          <Button variant="secondary">Replay all that match…</Button>
        </form>
      )}
    </ConsoleLayout>
  );
}

/** The dry run's answer: how many dead letters a bulk replay would put back, and the form to do it. */
export function ReplayAllPage(props: { csrf: string; filters: DeadLetterFilters; matched: number }) {
  const { filters, matched } = props;
  const all = !isFiltered(filters);
  const back = `/dead-letters${deadLettersQuery(filters)}`;
  return (
    <ConsoleLayout title="Replay dead letters" section="/dead-letters" csrf={props.csrf}>
      <h1>Replay dead letters</h1>
      <div class="panel">
        <dl class="settings">
          <dt>Tenant</dt>
          <dd>{filters.tenant}</dd>
          <dt>Destination</dt>
          <dd>{filters.destination || "any"}</dd>
          <dt>Type</dt>
          <dd>{filters.type || "any"}</dd>
          <dt>Died since</dt>
          <dd>{filters.since ? `${filters.since} UTC` : "any time"}</dd>
          <dt>Died before</dt>
          <dd>{filters.until ? `${filters.until} UTC` : "now"}</dd>
        </dl>
        {matched === 0 ? (
          <>
            <p>No dead letters match: there is nothing to replay.</p>
            <p>
              <Button href={back} variant="secondary">
                Back to dead letters
              </Button>
            </p>
          </>
        ) : (
          <form
            method="post"
            action={`/dead-letters/replay-all${deadLettersQuery(filters, all ? { all: "1" } : {})}`}
          >
            <input type="hidden" name="csrf" value={props.csrf} />
            <p class="confirm-count" role="status">
              This will put {count(matched)} dead letter{matched === 1 ? "" : "s"} back in the queue.
            </p>
            <p class="actions-row">
              <Button>Put them back in the queue</Button>
              <Button href={back} variant="secondary">
                Cancel
              </Button>
            </p>
          </form>
        )}
      </div>
    </ConsoleLayout>
  );
}
