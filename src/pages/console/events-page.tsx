import type { EventSummary } from "../../core/types.js";
import { Button } from "../components.js";
import { time } from "./format.js";
import { ConsoleLayout } from "./layout.js";

/** The filters of the events list, as the query string gave them. */
export interface EventFilters {
  tenant: string;
  type: string;
  source: string;
  /** Events a page shows. */
  limit: number;
}

/** The list's page size when none is asked for (kept out of links). */
const DEFAULT_LIMIT = 50;

/** The query string of the list with `filters` (and a cursor). */
export function eventsQuery(filters: EventFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.tenant !== "default") params.set("tenant", filters.tenant);
  if (filters.type) params.set("type", filters.type);
  if (filters.source) params.set("source", filters.source);
  if (filters.limit !== DEFAULT_LIMIT) params.set("limit", String(filters.limit));
  if (cursor) params.set("cursor", cursor);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Events newest first, filtered, a page at a time (the cursor is the last event's id: no OFFSET). */
export function EventsPage(props: {
  csrf: string;
  filters: EventFilters;
  events: readonly EventSummary[];
  nextCursor: string | null;
  error?: string;
}) {
  const { filters } = props;
  const tenantQuery = filters.tenant === "default" ? "" : `?tenant=${encodeURIComponent(filters.tenant)}`;
  return (
    <ConsoleLayout title="Events" section="/events" csrf={props.csrf}>
      <h1>Events</h1>
      <search aria-label="Filter events">
        <form method="get" action="/events" class="panel filters">
          <div class="field">
            <label for="f-tenant">Tenant</label>
            <input id="f-tenant" name="tenant" value={filters.tenant} />
          </div>
          <div class="field">
            <label for="f-type">Type</label>
            <input id="f-type" name="type" value={filters.type} placeholder="deployment.created" />
          </div>
          <div class="field">
            <label for="f-source">Source</label>
            <input id="f-source" name="source" value={filters.source} placeholder="vercel" />
          </div>
          <div>
            <Button>Filter</Button>
          </div>
        </form>
      </search>
      {props.error && (
        <div class="notice notice-error" role="alert">
          <p>{props.error}</p>
        </div>
      )}
      <div class="panel">
        {props.events.length === 0 ? (
          <p class="empty">No events match.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Type</th>
                  <th scope="col" class="hide-narrow">
                    Source
                  </th>
                  <th scope="col" class="hide-narrow">
                    Event
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.events.map((e) => (
                  <tr>
                    <td class="mono">{time(e.receivedAt)}</td>
                    <td>
                      <a href={`/events/${e.id}${tenantQuery}`}>{e.type}</a>
                      {e.unknownType && <span class="hint"> (not in the catalog)</span>}
                    </td>
                    <td class="hide-narrow">{e.source}</td>
                    <td class="hide-narrow">
                      <a class="mono" href={`/events/${e.id}${tenantQuery}`}>
                        {e.id}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {props.nextCursor && (
          <p class="pager">
            <a href={`/events${eventsQuery(filters, props.nextCursor)}`}>Older events</a>
          </p>
        )}
      </div>
    </ConsoleLayout>
  );
}
