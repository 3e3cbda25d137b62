import type { Context } from "hono";
import { Hono } from "hono";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { renderPage } from "../render.js";
import { deadLettersQuery, filtersOf, isFiltered, storeFilters } from "./dead-letter-filters.js";
import { count, DeadLettersPage, ReplayAllPage } from "./dead-letters-page.js";
import { type ConsoleGuard, tenantOf } from "./guard.js";

/** A delivery id: `dlv_` and a ULID. */
const DELIVERY_ID = /^dlv_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** The most deliveries one "Replay selected" takes: a page's worth. */
const MAX_SELECTED = 200;

/** The console's dead letters section: the tenant's deliveries that ended failed, and their replay. */
export const deadLettersSection = {
  paths: ["/dead-letters", "/dead-letters/*"],
  routes(deps: { operations: Operations; guard: ConsoleGuard }): Hono {
    const { operations, guard } = deps;
    const app = new Hono({ strict: false });
    const filtersOfRequest = (c: Context) => filtersOf((name) => c.req.query(name), tenantOf(c));

    app.get(
      "/dead-letters",
      guard.page(async (c, session) => {
        const filters = filtersOfRequest(c);
        const cursor = c.req.query("cursor");
        if (cursor !== undefined && !DELIVERY_ID.test(cursor))
          throw new OperationError("invalid_request", "That page link is not one the console gave.");
        const rows = await operations.deliveries.listDeliveries(filters.tenant, {
          ...storeFilters(filters),
          status: "failed",
          before: cursor,
          limit: filters.limit + 1,
        });
        const deliveries = rows.slice(0, filters.limit);
        const nextCursor = rows.length > filters.limit ? (deliveries.at(-1)?.id ?? null) : null;
        const notice = noticeOf(c);
        return renderPage(
          c,
          <DeadLettersPage
            csrf={guard.csrf(session)}
            filters={filters}
            deliveries={deliveries}
            nextCursor={nextCursor}
            {...(notice ? { notice } : {})}
          />,
        );
      }),
    );

    app.post(
      "/dead-letters/replay",
      guard.form(async (c, _session, form) => {
        const filters = filtersOfRequest(c);
        const given = form.delivery ?? [];
        const ids = Array.isArray(given) ? given : [given];
        if (ids.length > MAX_SELECTED)
          throw new OperationError("invalid_request", `Select at most ${MAX_SELECTED} dead letters at once.`);
        if (!ids.every((id) => DELIVERY_ID.test(id)))
          throw new OperationError("invalid_request", "That is not a delivery id the console gave.");
        const result = await operations.deliveries.retryDeadLetters(filters.tenant, ids);
        // Post, then redirect: reloading the page it lands on replays nothing again.
        const extra = { replayed: String(result.retried), skipped: String(result.skipped) };
        return c.redirect(`/dead-letters${deadLettersQuery(filters, extra)}`, 303);
      }),
    );

    app.get(
      "/dead-letters/replay-all",
      guard.page(async (c, session) => {
        const filters = filtersOfRequest(c);
        const { matched } = await operations.deliveries.bulkReplay(filters.tenant, bulkQuery(c, true));
        return renderPage(
          c,
          <ReplayAllPage csrf={guard.csrf(session)} filters={filters} matched={matched} />,
        );
      }),
    );

    app.post(
      "/dead-letters/replay-all",
      guard.form(async (c) => {
        const filters = filtersOfRequest(c);
        const result = await operations.deliveries.bulkReplay(filters.tenant, bulkQuery(c, false));
        const extra = { requeued: String(result.enqueued), matched: String(result.matched) };
        return c.redirect(`/dead-letters${deadLettersQuery(filters, extra)}`, 303);
      }),
    );

    /**
     * A bulk replay's query, under the API's rule: at least one filter, or `all` said outright (a
     * request that lost its filters must not put every dead letter back), never both.
     */
    function bulkQuery(c: Context, dryRun: boolean) {
      const filters = filtersOfRequest(c);
      const all = c.req.query("all") === "1";
      if (!isFiltered(filters) && !all)
        throw new OperationError(
          "invalid_request",
          "A bulk replay needs a filter, or to say it means all dead letters.",
        );
      if (isFiltered(filters) && all)
        throw new OperationError("invalid_request", "A bulk replay takes filters or all, not both.");
      return { ...storeFilters(filters), status: "failed" as const, dryRun };
    }

    return app;
  },
};

/** The notice a replay's redirect asks the list to show. */
function noticeOf(c: Context): string | undefined {
  const number = (name: string) => {
    const n = Number(c.req.query(name) ?? Number.NaN);
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  const letters = (n: number) => `${count(n)} dead letter${n === 1 ? "" : "s"}`;
  const replayed = number("replayed");
  if (replayed !== null) {
    const skipped = number("skipped") ?? 0;
    const head =
      replayed > 0
        ? `Replayed ${letters(replayed)}: back in the queue.`
        : skipped === 0
          ? "No dead letter was selected: nothing was replayed."
          : "Nothing was replayed.";
    if (skipped === 0) return head;
    return `${head} ${count(skipped)} of those selected ${skipped === 1 ? "was" : "were"} left as they were: not this tenant's dead letters now, or their destination is gone.`;
  }
  const requeued = number("requeued");
  if (requeued !== null) {
    const stay = (number("matched") ?? requeued) - requeued;
    const head = `Re-queued ${letters(requeued)}.`;
    return stay > 0
      ? `${head} ${letters(stay)} stay dead: ${stay === 1 ? "its" : "their"} destination is no longer configured.`
      : head;
  }
  return undefined;
}
