import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { tenantName } from "../../core/tenant.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import type { ConsoleSessions } from "../../operations/console-sessions.js";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { normalizeEventType } from "../../vercel/index.js";
import { MessagePage } from "../message-page.js";
import { renderPage } from "../render.js";
import { consoleCookies as cookies } from "./cookies.js";
import { EventPage } from "./event-page.js";
import { type EventFilters, EventsPage } from "./events-page.js";
import { SignInPage } from "./sign-in-page.js";

/** An event id: `evt_` and a ULID. */
const EVENT_ID = /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Events a page of the list shows unless `?limit=` (1 to 200) says otherwise. */
export const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
/** How many deliveries of one event the event's page shows, each with its attempts. */
const DELIVERIES_SHOWN = 50;

/**
 * A path of this site: one slash, not followed by another or a backslash (`//host`, `/\host` are
 * other origins), then printable ASCII but the backslash (as a URL the console made encodes it).
 */
const LOCAL_PATH = /^\/(?![/\\])[!-[\]-~]*$/;

/** Where to go after signing in: a path of this site only, never another origin. */
function safeNext(next: string | undefined): string {
  return next !== undefined && LOCAL_PATH.test(next) ? next : "/events";
}

/** The tenant a page acts for (`?tenant=`, `default` when absent); a malformed one is a 400 page. */
function tenantOf(c: Context): string {
  const given = c.req.query("tenant");
  if (given === undefined || given === "") return DEFAULT_TENANT;
  if (!tenantName.safeParse(given).success)
    throw new OperationError("invalid_request", "A tenant name is letters, digits, '_', '-', '.' or ':'.");
  return given;
}

/** The page size `?limit=` asks for; a bad one is a 400 page. */
function pageSizeOf(text: string | undefined): number {
  if (text === undefined || text === "") return PAGE_SIZE;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new OperationError("invalid_request", `A page holds 1 to ${MAX_PAGE_SIZE} events.`);
  return n;
}

/**
 * The console: sign in with the admin token, then the events (a filtered list, each event with
 * its payload, deliveries and attempts, and replay). Every page but sign-in needs a live console
 * session; every change needs the session's CSRF token.
 */
export function consolePages(deps: {
  operations: Operations;
  sessions: ConsoleSessions;
  logger: Logger;
}): Hono {
  const { operations, sessions, logger } = deps;
  const app = new Hono({ strict: false });

  app.onError((error, c) => {
    if (error instanceof OperationError) {
      const [status, title] =
        error.code === "not_found"
          ? ([404, "Not found"] as const)
          : error.code === "invalid_csrf"
            ? ([403, "This form has expired"] as const)
            : ([400, "This request is not valid"] as const);
      return renderPage(
        c,
        <MessagePage title={title} message={error.message}>
          <p class="hint">
            Error code: <code>{error.code}</code>
          </p>
          <p>
            <a href="/events">Back to the console</a>
          </p>
        </MessagePage>,
        status,
      );
    }
    logger.error({ err: error, path: c.req.path }, "console page failed");
    return renderPage(
      c,
      <MessagePage title="Something went wrong" message="Switchyard could not show this page. Try again." />,
      500,
    );
  });
  // Only the console's own forms: this sub-app is mounted at the root, beside the API.
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("form too large", 413) });
  for (const path of ["/sign-in", "/sign-out", "/events/*"]) app.post(path, formLimit);

  /** The live session of this browser, or null (the caller sends it to sign in). */
  async function sessionOf(c: Context): Promise<string | null> {
    const session = cookies.session(c);
    return session && (await sessions.isLive(session)) ? session : null;
  }

  /** Sends a browser without a session to sign in, coming back here after. */
  function toSignIn(c: Context) {
    const here = new URL(c.req.url);
    return c.redirect(`/sign-in?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
  }

  /** A form's fields, and its CSRF token checked against the session. */
  async function formOf(c: Context, session: string): Promise<Record<string, string | string[]>> {
    const form = (await c.req.parseBody({ all: true })) as Record<string, string | string[]>;
    const csrf = form.csrf;
    sessions.checkCsrf(session, typeof csrf === "string" ? csrf : undefined);
    return form;
  }

  app.get("/", (c) => c.redirect("/events", 302));

  app.get("/sign-in", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await sessionOf(c)) return c.redirect(next, 303);
    const ended = c.req.query("ended") === "1";
    return renderPage(c, <SignInPage next={next} {...(ended ? { notice: "You are signed out." } : {})} />);
  });

  app.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    try {
      const { session } = await sessions.signIn(typeof form.token === "string" ? form.token : undefined);
      cookies.setSession(c, session);
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof OperationError) || error.code !== "invalid_token") throw error;
      return renderPage(c, <SignInPage next={next} error="That is not this server's admin token." />, 401);
    }
  });

  app.post("/sign-out", async (c) => {
    const session = await sessionOf(c);
    if (session) {
      await formOf(c, session);
      await sessions.signOut(session);
    }
    cookies.clearSession(c);
    return c.redirect("/sign-in?ended=1", 303);
  });

  app.get("/events", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toSignIn(c);
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
      <EventsPage
        csrf={sessions.csrfToken(session)}
        filters={filters}
        events={events}
        nextCursor={nextCursor}
      />,
    );
  });

  app.get("/events/:id", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toSignIn(c);
    const replayed = Number(c.req.query("replayed") ?? Number.NaN);
    const notice = !Number.isSafeInteger(replayed)
      ? undefined
      : replayed === 0
        ? "No route sends this event anywhere now: nothing was replayed."
        : `Replayed: ${replayed} new deliver${replayed === 1 ? "y" : "ies"}, shown below.`;
    return renderEvent(c, session, c.req.param("id"), notice);
  });

  app.post("/events/:id/replay", async (c) => {
    const session = await sessionOf(c);
    if (!session) return toSignIn(c);
    const form = await formOf(c, session);
    const id = c.req.param("id");
    if (!EVENT_ID.test(id)) throw new OperationError("not_found", "No event has that id.");
    const tenant = tenantOf(c);
    const wanted = form.destination;
    const destinations = wanted === undefined ? undefined : Array.isArray(wanted) ? wanted : [wanted];
    const result = await operations.deliveries.replay(tenant, id, destinations);
    // Post, then redirect: reloading the page it lands on replays nothing again.
    const query = new URLSearchParams({ replayed: String(result.deliveries.length) });
    if (tenant !== DEFAULT_TENANT) query.set("tenant", tenant);
    return c.redirect(`/events/${id}?${query}`, 303);
  });

  async function renderEvent(c: Context, session: string, id: string, notice?: string) {
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
    return renderPage(
      c,
      <EventPage
        csrf={sessions.csrfToken(session)}
        event={event}
        deliveries={detailed}
        {...(notice ? { notice } : {})}
      />,
    );
  }

  return app;
}
