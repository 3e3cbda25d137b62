import { Hono } from "hono";
import type { Operations } from "../../operations/index.js";
import { renderPage } from "../render.js";
import { type ConsoleGuard, tenantOf } from "./guard.js";
import { OverviewBody, OverviewPage } from "./overview-page.js";

/** The console's overview section: the page, and its content alone for the live updates. */
export const overviewSection = {
  paths: ["/overview", "/overview/*"],
  routes(deps: { operations: Operations; guard: ConsoleGuard }): Hono {
    const { operations, guard } = deps;
    const app = new Hono({ strict: false });

    app.get(
      "/overview",
      guard.page(async (c, session) => {
        const tenant = tenantOf(c);
        const overview = await operations.overview.overview(tenant);
        return renderPage(c, <OverviewPage csrf={guard.csrf(session)} tenant={tenant} overview={overview} />);
      }),
    );

    // Fetched by the page's script: without a session, a 401 (a redirect to sign in would put the
    // sign-in page inside this one), and the script stops until the page is loaded again.
    app.get("/overview/live", async (c) => {
      if (!(await guard.session(c))) return c.text("Sign in again to see the overview.", 401);
      const tenant = tenantOf(c);
      const overview = await operations.overview.overview(tenant);
      const html = await (<OverviewBody tenant={tenant} overview={overview} />);
      return c.body(`${html}`, 200, { "content-type": "text/html; charset=utf-8" });
    });

    return app;
  },
};
