import type { Child } from "hono/jsx";
import { inlineHash } from "./inline-hash.js";
import { PAGE_CSS } from "./page-css.js";

/** The CSP source that allows the layout's inline stylesheet, and nothing else. */
export const PAGE_STYLE_HASH = inlineHash(PAGE_CSS);

/** The one layout of every page: document head, inline stylesheet, the name, one column. */
export function Layout(props: { title: string; wide?: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <title>{`${props.title} · Switchyard`}</title>
        {/* Raw: escaping would change the text, and its hash in the CSP with it. */}
        <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <div class={props.wide ? "site site-wide" : "site"}>
          <header>
            <p class="brand">Switchyard</p>
          </header>
          <main class="card" id="main" tabindex={-1}>
            {props.children}
          </main>
        </div>
      </body>
    </html>
  );
}
