import type { EventListPage } from "../../operations/index.js";
import { Button } from "../components.js";
import { type EventFilters, eventsLink, MAX_SEARCH } from "./event-filters.js";
import { EVENTS_LIVE_SCRIPT } from "./events-live-script.js";
import { time } from "./format.js";
import { ConsoleLayout } from "./layout.js";
import { type PageScope, scopedTenantQuery } from "./page-scope.js";

/**
 * Events newest first, filtered, a page at a time (the cursor is the last event's id: no OFFSET).
 * A search examines a bounded number of events per page and says how far back it looked. Live,
 * with script, new events stream into the top of the first page.
 */
export function EventsPage(props: {
  csrf: string;
  scope: PageScope;
  filters: EventFilters;
  page: EventListPage;
  /** The list can go live: its first page, without an end time, id or search. */
  liveAllowed: boolean;
  live: boolean;
}) {
  const { filters, page, scope } = props;
  const tq = scopedTenantQuery(scope, filters.tenant);
  const eventHref = (id: string) => `${scope.base}/events/${id}${tq}`;
  const newest = page.events[0]?.id;
  const liveSrc = eventsLink(scope, filters, newest ? { after: newest } : {}, "/events/live");
  const older = page.next ? eventsLink(scope, filters, { cursor: page.next }) : null;
  return (
    <ConsoleLayout
      title="Events"
      section="/events"
      csrf={props.csrf}
      scope={scope}
      {...(props.live ? { scripts: [EVENTS_LIVE_SCRIPT] } : {})}
    >
      <div class="page-head">
        <h1>Events</h1>
        {props.liveAllowed &&
          (props.live ? (
            <a class="button button-secondary button-small" href={eventsLink(scope, filters)}>
              Stop live
            </a>
          ) : (
            <a class="button button-secondary button-small" href={eventsLink(scope, filters, { live: "1" })}>
              Live
            </a>
          ))}
      </div>
      <search aria-label="Filter events">
        <form method="get" action={`${scope.base}/events`} class="panel filters">
          {!scope.tenantFixed && (
            <div class="field">
              <label for="f-tenant">Tenant</label>
              <input id="f-tenant" name="tenant" value={filters.tenant} />
            </div>
          )}
          <div class="field">
            <label for="f-type">Type</label>
            <input id="f-type" name="type" value={filters.type} placeholder="deployment.*" />
          </div>
          <div class="field">
            <label for="f-source">Source</label>
            <input id="f-source" name="source" value={filters.source} placeholder="vercel" />
          </div>
          <div class="field">
            <label for="f-since">Received since (UTC)</label>
            <input id="f-since" name="since" type="datetime-local" value={filters.since} />
          </div>
          <div class="field">
            <label for="f-until">Received before (UTC)</label>
            <input id="f-until" name="until" type="datetime-local" value={filters.until} />
          </div>
          <div class="field">
            <label for="f-id">Event id</label>
            <input id="f-id" name="id" value={filters.id} placeholder="evt_… or Vercel's id" />
          </div>
          <div class="field">
            <label for="f-q">Payload contains</label>
            <input id="f-q" name="q" type="search" value={filters.q} maxlength={MAX_SEARCH} />
          </div>
          <div>
            {props.live && <input type="hidden" name="live" value="1" />}
            <Button>Filter</Button>
          </div>
        </form>
      </search>
      {props.live && (
        <p class="notice" role="status" data-live-status>
          Live: new events appear at the top as they arrive (this needs script; without it, reload).
        </p>
      )}
      {page.searchedBackTo !== null && older && (
        <p class="notice" role="status">
          Searched events back to {time(page.searchedBackTo)}
          {page.events.length === 0 ? ", none matched" : ""}; <a href={older}>Search older</a>
        </p>
      )}
      <div class="panel">
        {page.events.length === 0 && (
          <p class="empty" data-live-empty>
            {filters.q ? "No event in this stretch matches." : "No events match."}
          </p>
        )}
        {(page.events.length > 0 || props.live) && (
          <div
            class="table-wrap"
            hidden={page.events.length === 0}
            {...(props.live
              ? {
                  "data-live-src": liveSrc,
                  "data-tenant-query": tq,
                  "data-event-base": `${scope.base}/events/`,
                }
              : {})}
          >
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
                {page.events.map((e) => (
                  <tr>
                    <td class="mono">{time(e.receivedAt)}</td>
                    <td>
                      <a href={eventHref(e.id)}>{e.type}</a>
                      {e.unknownType && <span class="hint"> (not in the catalog)</span>}
                    </td>
                    <td class="hide-narrow">{e.source}</td>
                    <td class="hide-narrow">
                      <a class="mono" href={eventHref(e.id)}>
                        {e.id}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {older && (
          <p class="pager">
            <a href={older}>{page.searchedBackTo !== null ? "Search older" : "Older events"}</a>
          </p>
        )}
      </div>
    </ConsoleLayout>
  );
}
