import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { ConsoleSessions } from "../../operations/console-sessions.js";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { renderPage } from "../render.js";
import { consoleCookies as cookies } from "./cookies.js";
import { deadLettersSection } from "./dead-letters-routes.js";
import { destinationsSection } from "./destinations-routes.js";
import type { EventStreamAnswer } from "./event-filters.js";
import { eventsSection } from "./events-routes.js";
import { ConsoleGuard, consoleErrorPage } from "./guard.js";
import { overviewSection } from "./overview-routes.js";
import { routesSection } from "./routes-routes.js";
import { SignInPage } from "./sign-in-page.js";

/** The console's sections, each its paths and routes. */
const SECTIONS = [overviewSection, eventsSection, destinationsSection, routesSection, deadLettersSection];

/** Every path the console answers (for the pages' security headers). */
export const CONSOLE_PATHS = ["/", "/sign-in", "/sign-out", ...SECTIONS.flatMap((s) => s.paths)];

/**
 * A path of this site: one slash, not followed by another or a backslash (`//host`, `/\host` are
 * other origins), then printable ASCII but the backslash (as a URL the console made encodes it).
 */
const LOCAL_PATH = /^\/(?![/\\])[!-[\]-~]*$/;

/** The console's first page: where `/` and signing in lead. */
const LANDING = "/overview";

/** Where to go after signing in: a path of this site only, never another origin. */
function safeNext(next: string | undefined): string {
  return next !== undefined && LOCAL_PATH.test(next) ? next : LANDING;
}

/**
 * The console: sign in with the admin token, then its sections. Every page but sign-in needs a
 * live console session; every change needs the session's CSRF token (see guard.tsx).
 */
export function consolePages(deps: {
  operations: Operations;
  sessions: ConsoleSessions;
  logger: Logger;
  streamEvents: EventStreamAnswer;
}): Hono {
  const { operations, sessions, logger, streamEvents } = deps;
  const guard = new ConsoleGuard(sessions);
  const app = new Hono({ strict: false });
  app.onError(consoleErrorPage(logger));
  // Only the console's own forms: this sub-app is mounted at the root, beside the API.
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("form too large", 413) });
  for (const path of CONSOLE_PATHS) app.post(path, formLimit);

  app.get("/", (c) => c.redirect(LANDING, 302));

  app.get("/sign-in", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await guard.session(c)) return c.redirect(next, 303);
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
    const session = await guard.session(c);
    if (session) {
      const form = await c.req.parseBody();
      sessions.checkCsrf(session, typeof form.csrf === "string" ? form.csrf : undefined);
      await sessions.signOut(session);
    }
    cookies.clearSession(c);
    return c.redirect("/sign-in?ended=1", 303);
  });

  const sectionDeps = { operations, guard, access: guard.access(), streamEvents };
  for (const section of SECTIONS) {
    const routes = section.routes(sectionDeps);
    routes.onError(consoleErrorPage(logger));
    app.route("/", routes);
  }
  return app;
}
