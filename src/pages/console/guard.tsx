import type { Context } from "hono";
import type { Logger } from "pino";
import { tenantName } from "../../core/tenant.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import type { ConsoleSessions } from "../../operations/console-sessions.js";
import { OperationError } from "../../operations/errors.js";
import { MessagePage } from "../message-page.js";
import { renderPage } from "../render.js";
import { consoleCookies } from "./cookies.js";
import { CONSOLE_SCOPE, type PageAccess, type PageForm } from "./page-scope.js";

/** A submitted form: each field's value, or values when it came more than once. */
export type ConsoleForm = PageForm;

/**
 * What every console section checks: a live session (else to sign in, and back after), the
 * session's CSRF token on every form, and the tenant a page acts for.
 */
export class ConsoleGuard {
  constructor(readonly sessions: ConsoleSessions) {}

  /** The live session of this browser, or null. */
  async session(c: Context): Promise<string | null> {
    const session = consoleCookies.session(c);
    return session && (await this.sessions.isLive(session)) ? session : null;
  }

  /** Sends a browser without a session to sign in, coming back here after. */
  toSignIn(c: Context): Response {
    const here = new URL(c.req.url);
    return c.redirect(`/sign-in?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
  }

  /** The CSRF token of the session's forms. */
  csrf(session: string): string {
    return this.sessions.csrfToken(session);
  }

  /** A page for signed-in browsers only: `handler` gets the session. */
  page(handler: (c: Context, session: string) => Promise<Response>) {
    return async (c: Context): Promise<Response> => {
      const session = await this.session(c);
      return session ? handler(c, session) : this.toSignIn(c);
    };
  }

  /** A form's answer, for signed-in browsers only, its CSRF token checked first: `handler` gets the form. */
  form(handler: (c: Context, session: string, form: ConsoleForm) => Promise<Response>) {
    return this.page(async (c, session) => {
      const form = (await c.req.parseBody({ all: true })) as ConsoleForm;
      this.sessions.checkCsrf(session, typeof form.csrf === "string" ? form.csrf : undefined);
      return handler(c, session, form);
    });
  }

  /** The console's access to a section shared with an installation's pages: any tenant, by `?tenant=`. */
  access(): PageAccess {
    return {
      page: (handler) =>
        this.page((c, session) =>
          handler(c, { csrf: this.csrf(session), tenant: tenantOf(c), scope: CONSOLE_SCOPE }),
        ),
      form: (handler) =>
        this.form((c, session, form) =>
          handler(c, { csrf: this.csrf(session), tenant: tenantOf(c), scope: CONSOLE_SCOPE }, form),
        ),
    };
  }
}

/** The tenant a page acts for (`?tenant=`, `default` when absent); a malformed one is a 400 page. */
export function tenantOf(c: Context): string {
  const given = c.req.query("tenant");
  if (given === undefined || given === "") return DEFAULT_TENANT;
  if (!tenantName.safeParse(given).success)
    throw new OperationError("invalid_request", "A tenant name is letters, digits, '_', '-', '.' or ':'.");
  return given;
}

/** `?tenant=` for links of a page acting for `tenant` (nothing for the default one). */
export function tenantQuery(tenant: string, prefix: "?" | "&" = "?"): string {
  return tenant === DEFAULT_TENANT ? "" : `${prefix}tenant=${encodeURIComponent(tenant)}`;
}

/** The console's answer to a refusal (a page with its code) or a failure (logged, a page saying so). */
export function consoleErrorPage(logger: Logger) {
  return (error: Error, c: Context): Response | Promise<Response> => {
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
            <a href="/">Back to the console</a>
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
  };
}
