import { Hono } from "hono";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { normalizeEventType } from "../../vercel/index.js";
import { renderPage } from "../render.js";
import { EventPage } from "./event-page.js";
import { type EventFilters, EventsPage } from "./events-page.js";
import { type ConsoleGuard, tenantOf, tenantQuery } from "./guard.js";

/** An event id: `evt_` and a ULID. */
const EVENT_ID = /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Events a page of the list shows unless `?limit=` (1 to 200) says otherwise. */
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
/** How many deliveries of one event the event's page shows, each with its attempts. */
const DELIVERIES_SHOWN = 50;

/** The console's events section: its paths (for the pages' headers and form limits) and routes. */
export const eventsSection = {
  paths: ["/events", "/events/*"],
  routes(deps: { operations: Operations; guard: ConsoleGuard }): Hono {
    const { operations, guard } = deps;
    const app = new Hono({ strict: false });

    app.get(
      "/events",
      guard.page(async (c, session) => {
        const filters: EventFilters = {
          tenant: tenantOf(c),
          type: (c.req.query("type") ?? "").trim(),
          source: (c.req.query("source") ?? "").trim(),
          limit: pageSizeOf(c.req.query("limit")),
        };
        const cursor = c.req.query("cursor");
        if (cursor !== undefined && !EVENT_ID.test(cursor))
          throw new OperationError("invalid_request", "That page link is not one the console gave.");
        const rows = await operations.deliveries.listEvents(filters.tenant, {
          type: filters.type ? normalizeEventType(filters.type).canonical : undefined,
          source: filters.source || undefined,
          before: cursor,
          limit: filters.limit + 1,
        });
        const events = rows.slice(0, filters.limit);
        const nextCursor = rows.length > filters.limit ? (events.at(-1)?.id ?? null) : null;
        return renderPage(
          c,
          <EventsPage csrf={guard.csrf(session)} filters={filters} events={events} nextCursor={nextCursor} />,
        );
      }),
    );

    app.get(
      "/events/:id",
      guard.page(async (c, session) => {
        const id = c.req.param("id") ?? "";
        if (!EVENT_ID.test(id)) throw new OperationError("not_found", "No event has that id.");
        const tenant = tenantOf(c);
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
            csrf={guard.csrf(session)}
            event={event}
            deliveries={detailed}
            {...(notice ? { notice } : {})}
          />,
        );
      }),
    );

    app.post(
      "/events/:id/replay",
      guard.form(async (c, _session, form) => {
        const id = c.req.param("id") ?? "";
        if (!EVENT_ID.test(id)) throw new OperationError("not_found", "No event has that id.");
        const tenant = tenantOf(c);
        const wanted = form.destination;
        const destinations = wanted === undefined ? undefined : Array.isArray(wanted) ? wanted : [wanted];
        const result = await operations.deliveries.replay(tenant, id, destinations);
        // Post, then redirect: reloading the page it lands on replays nothing again.
        return c.redirect(
          `/events/${id}?replayed=${result.deliveries.length}${tenantQuery(tenant, "&")}`,
          303,
        );
      }),
    );

    return app;
  },
};

/** The page size `?limit=` asks for; a bad one is a 400 page. */
function pageSizeOf(text: string | undefined): number {
  if (text === undefined || text === "") return PAGE_SIZE;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new OperationError("invalid_request", `A page holds 1 to ${MAX_PAGE_SIZE} events.`);
  return n;
}
