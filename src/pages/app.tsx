import { Hono } from "hono";
import type { Operations } from "../operations/index.js";
import { MessagePage } from "./message-page.js";
import { renderPage } from "./render.js";
import { pageSecurityHeaders } from "./security-headers.js";

/** What the pages need from the running application: the use cases, and nothing below them. */
export interface PageDeps {
  operations: Operations;
}

/**
 * The web UI: server-rendered HTML pages outside `/api`, without the admin token. Mounted at the
 * root; its middleware is scoped to the pages' own paths so the API's answers stay as they are.
 */
export function pageRoutes(_deps: PageDeps): Hono {
  const app = new Hono({ strict: false });
  app.use("/integrations/vercel/*", pageSecurityHeaders());
  app.get("/integrations/vercel/closed", (c) =>
    renderPage(
      c,
      <MessagePage
        title="You may close this window"
        message="Nothing more is needed here. Close this window to return to Vercel."
      />,
    ),
  );
  return app;
}
