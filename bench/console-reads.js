// The reads behind the console's pages and the API's lists, each one entry: what `bench/console.js`
// times on a store of 1,000 events and on one of a million. A new page or filter is a new entry.
import { DESTINATIONS, RARE_TYPE, SOURCES, TENANTS } from "./console-seed.js";

/** Rows a page reads: the console's 50 and one more, to know whether there is a next page. */
const PAGE = 51;
/** How deep "the 500th page" is: 499 pages of 50 before it. */
export const DEEP_PAGE_OFFSET = 499 * 50;

/**
 * @typedef {object} Fixtures what the reads need from the seeded store (found before timing)
 * @property {string} deepCursor the big tenant's event 499 pages down (or the deepest page's, when fewer)
 * @property {string} oldEventId an event of the big tenant's, two days old, with a dead delivery
 * @property {number} now the time the data ends at
 * @property {{ since: number, until: number }} deadWindow six hours of dead letters, a day and a half ago
 */

/**
 * @typedef {object} Read
 * @property {string} name
 * @property {string} page the console page or API list it serves
 * @property {(store: any, f: Fixtures) => Promise<unknown>} run
 */

const view = (/** @type {any} */ store, tenant = TENANTS.big) => store.forTenant(tenant);

/** @type {Read[]} */
export const READS = [
  {
    name: "events, first page",
    page: "/events, GET /api/v1/events",
    run: (s) => view(s).listEvents({ limit: PAGE }),
  },
  {
    name: "events, 500th page (cursor)",
    page: "/events?cursor=",
    run: (s, f) => view(s).listEvents({ before: f.deepCursor, limit: PAGE }),
  },
  {
    name: "events by type",
    page: "/events?type=deployment.error",
    run: (s) => view(s).listEvents({ type: "deployment.error", limit: PAGE }),
  },
  {
    name: "events by a rare type (0.1 %)",
    page: `/events?type=${RARE_TYPE}`,
    run: (s) => view(s).listEvents({ type: RARE_TYPE, limit: PAGE }),
  },
  {
    name: "events by source (5 %)",
    page: `/events?source=${SOURCES[2]}`,
    run: (s) => view(s).listEvents({ source: SOURCES[2], limit: PAGE }),
  },
  {
    name: "events of the small tenant",
    page: `/events?tenant=${TENANTS.small}`,
    run: (s) => view(s, TENANTS.small).listEvents({ limit: PAGE }),
  },
  {
    name: "an event's page",
    page: "/events/:id (event, deliveries, attempts)",
    async run(s, f) {
      const v = view(s);
      await v.getEvent(f.oldEventId);
      const deliveries = await v.listDeliveries({ eventId: f.oldEventId, limit: 50 });
      return Promise.all(deliveries.map((/** @type {{ id: string }} */ d) => v.getDelivery(d.id)));
    },
  },
  {
    name: "dead letters, first page",
    page: "/dead-letters, GET /api/v1/deliveries?status=failed",
    run: (s) => view(s).listDeliveries({ status: "failed", limit: PAGE }),
  },
  {
    name: "dead letters by destination",
    page: `/dead-letters?destination=${DESTINATIONS[1]}`,
    run: (s) => view(s).listDeliveries({ status: "failed", destination: DESTINATIONS[1], limit: PAGE }),
  },
  {
    name: "dead letters by time (6 h, 1.5 days ago)",
    page: "/dead-letters?since=&until=",
    run: (s, f) => view(s).listDeliveries({ status: "failed", ...f.deadWindow, limit: PAGE }),
  },
  {
    name: "bulk replay dry run, all dead letters",
    page: "/dead-letters/replay-all, POST /api/v1/replay dryRun",
    run: (s, f) =>
      view(s).requeueDeliveries({ status: "failed", dryRun: true }, f.now, () => Number.POSITIVE_INFINITY),
  },
  {
    name: "destinations' health",
    page: "/destinations (states, pending, last hour's attempts)",
    run: (s, f) => {
      const v = view(s);
      return Promise.all([
        v.listDestinationStates(),
        v.pendingByDestination(),
        v.recentAttempts(f.now - 3_600_000, 10_000),
      ]);
    },
  },
  {
    name: "a destination's newest deliveries",
    page: "/destinations/:slug (20 newest)",
    run: (s) => view(s).listDeliveries({ destination: DESTINATIONS[1], limit: 20 }),
  },
  {
    name: "deliveries by status (succeeded)",
    page: "GET /api/v1/deliveries?status=succeeded",
    run: (s) => view(s).listDeliveries({ status: "succeeded", limit: PAGE }),
  },
  {
    name: "deliveries by status (pending)",
    page: "GET /api/v1/deliveries?status=pending",
    run: (s) => view(s).listDeliveries({ status: "pending", limit: PAGE }),
  },
  {
    name: "event stream resume (Last-Event-ID)",
    page: "GET /api/v1/events/stream, an old Last-Event-ID",
    async run(s, f) {
      const v = view(s);
      const position = await v.streamPositionOf(f.oldEventId);
      return v.readStream(position, 100);
    },
  },
];
