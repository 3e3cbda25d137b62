import { Hono } from "hono";
import { OperationError } from "../../operations/errors.js";
import { type Operations, type StreamStart, typeQuery } from "../../operations/index.js";
import { renderPage } from "../render.js";
import { canGoLive, type EventStreamAnswer, eventFiltersOf, listFilters } from "./event-filters.js";
import { EventPage } from "./event-page.js";
import { EventsPage } from "./events-page.js";
import { type PageAccess, scopedTenantQuery } from "./page-scope.js";

/** An event id: `evt_` and a ULID. */
const EVENT_ID = /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** How many deliveries of one event the event's page shows, each with its attempts. */
const DELIVERIES_SHOWN = 50;

/**
 * The events section: its paths (for the pages' headers and form limits) and routes. The console
 * serves it under `/`; an installation's pages serve it under the integration's path, with the
 * tenant its session fixes (`access` says which).
 */
export const eventsSection = {
  paths: ["/events", "/events/*"],
  routes(deps: { operations: Operations; access: PageAccess; streamEvents: EventStreamAnswer }): Hono {
    const { operations, access, streamEvents } = deps;
    const app = new Hono({ strict: false });

    app.get(
      "/events",
      access.page(async (c, view) => {
        const filters = eventFiltersOf((name) => c.req.query(name), view.tenant);
        const cursor = c.req.query("cursor");
        if (cursor !== undefined && !EVENT_ID.test(cursor))
          throw new OperationError("invalid_request", "That page link is not one the console gave.");
        const page = await operations.deliveries.listEventPage(filters.tenant, listFilters(filters, cursor));
        const [only] = page.events;
        // An id names one event: open it.
        if (filters.id && only && page.events.length === 1 && cursor === undefined)
          return c.redirect(
            `${view.scope.base}/events/${only.id}${scopedTenantQuery(view.scope, filters.tenant)}`,
            303,
          );
        const live = c.req.query("live") === "1" && canGoLive(filters, cursor);
        return renderPage(
          c,
          <EventsPage
            csrf={view.csrf}
            scope={view.scope}
            filters={filters}
            page={page}
            liveAllowed={canGoLive(filters, cursor)}
            live={live}
          />,
        );
      }),
    );

    // Before `/events/:id`: a live list's stream, for the session's browser (EventSource sends the
    // cookie; it cannot send the API's token). It starts after the newest event the page showed.
    app.get(
      "/events/live",
      access.page(async (c, view) => {
        const filters = eventFiltersOf((name) => c.req.query(name), view.tenant);
        const header = c.req.header("last-event-id");
        const after = header || c.req.query("after") || undefined;
        if (after !== undefined && !EVENT_ID.test(after))
          throw new OperationError("invalid_last_event_id", "That is not an event id the console gave.");
        const since = listFilters(filters, undefined).since;
        // Checked as the list checks it: a bad type is a 400, not a stream that matches nothing.
        typeQuery(filters.type || undefined);
        const start: StreamStart =
          after !== undefined
            ? { from: "event", id: after }
            : since !== undefined
              ? { from: "time", since }
              : { from: "now" };
        return streamEvents(c, filters.tenant, start, {
          source: filters.source || undefined,
          type: filters.type || undefined,
          since,
        });
      }),
    );

    app.get(
      "/events/:id",
      access.page(async (c, view) => {
        const id = c.req.param("id") ?? "";
        if (!EVENT_ID.test(id)) throw new OperationError("not_found", "No event has that id.");
        const { tenant } = view;
        const event = await operations.deliveries.getEvent(tenant, id);
        const deliveries = await operations.deliveries.listDeliveries(tenant, {
          eventId: id,
          limit: DELIVERIES_SHOWN,
        });
        const detailed = await Promise.all(
          deliveries.map((d) => operations.deliveries.getDelivery(tenant, d.id)),
        );
        const replayed = Number(c.req.query("replayed") ?? Number.NaN);
        const notice = !Number.isSafeInteger(replayed)
          ? undefined
          : replayed === 0
            ? "No route sends this event anywhere now: nothing was replayed."
            : `Replayed: ${replayed} new deliver${replayed === 1 ? "y" : "ies"}, shown below.`;
        return renderPage(
          c,
          <EventPage
            csrf={view.csrf}
            scope={view.scope}
            event={event}
            deliveries={detailed}
            {...(notice ? { notice } : {})}
          />,
        );
      }),
    );

    app.post(
      "/events/:id/replay",
      access.form(async (c, view, form) => {
        const id = c.req.param("id") ?? "";
        if (!EVENT_ID.test(id)) throw new OperationError("not_found", "No event has that id.");
        const { tenant } = view;
        const wanted = form.destination;
        const destinations = wanted === undefined ? undefined : Array.isArray(wanted) ? wanted : [wanted];
        const result = await operations.deliveries.replay(tenant, id, destinations);
        // Post, then redirect: reloading the page it lands on replays nothing again.
        return c.redirect(
          `${view.scope.base}/events/${id}?replayed=${result.deliveries.length}${scopedTenantQuery(view.scope, tenant, "&")}`,
          303,
        );
      }),
    );

    return app;
  },
};
