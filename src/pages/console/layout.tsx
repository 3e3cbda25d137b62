import type { Child } from "hono/jsx";
import { PAGE_CSS } from "../page-css.js";
import type { PageScript } from "../page-script.js";
import { CONSOLE_SCOPE, type PageScope } from "./page-scope.js";

/**
 * The console's layout: the pages' one stylesheet, a header with the sections and sign out (a
 * form: signing out changes state, so it is a POST with the session's CSRF token), one wide column.
 */
export function ConsoleLayout(props: {
  title: string;
  /** The section the page belongs to, marked current in the navigation. */
  section?: string;
  /** The session's CSRF token: given, the header shows the navigation (and sign out, when the scope has it). */
  csrf?: string;
  /** Whom the page serves: the console (the default) or an installation, with its own navigation. */
  scope?: PageScope;
  /** Scripts the page runs (each one of `CONSOLE_SCRIPTS`, which the CSP allows). */
  scripts?: readonly PageScript[];
  children?: Child;
}) {
  const scope = props.scope ?? CONSOLE_SCOPE;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <title>{`${props.title} · Switchyard`}</title>
        <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
      </head>
      <body>
        {/* The first tab stop: past the header and its navigation, straight to the page. */}
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand brand-link" href={scope.home}>
              Switchyard
            </a>
            {props.csrf && (
              <nav aria-label={scope.tenantFixed ? "Installation" : "Console"}>
                <ul class="nav">
                  {scope.nav.map((s) => (
                    <li>
                      <a href={s.href} aria-current={props.section === s.section ? "page" : undefined}>
                        {s.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {props.csrf && scope.signOut && (
              <form method="post" action="/sign-out" class="sign-out">
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="button button-secondary button-small">
                  Sign out
                </button>
              </form>
            )}
          </div>
        </header>
        <main class="console" id="main" tabindex={-1}>
          {props.children}
        </main>
        {props.scripts?.map((s) => (
          <script type="module" dangerouslySetInnerHTML={{ __html: s.text }} />
        ))}
      </body>
    </html>
  );
}
