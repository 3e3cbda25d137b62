import { Hono } from "hono";
import type { Logger } from "pino";
import type { Config } from "../config/schema.js";
import type { Operations } from "../operations/index.js";
import type { ApiReferenceDocument } from "./api-reference/document.js";
import { ApiReferencePage } from "./api-reference/reference-page.js";
import type { EventStreamAnswer } from "./console/event-filters.js";
import { CONSOLE_PATHS, consolePages } from "./console/routes.js";
import { CONSOLE_SCRIPTS } from "./console/scripts.js";
import { FAVICON_SVG } from "./favicon.js";
import { integrationPages } from "./integration/routes.js";
import { MessagePage } from "./message-page.js";
import { renderPage } from "./render.js";
import { pageSecurityHeaders } from "./security-headers.js";

/** Where the management API's reference page is. */
export const API_REFERENCE_PATH = "/api/reference";

/** What the pages need from the running application: the use cases, and nothing below them. */
export interface PageDeps {
  operations: Operations;
  /** The admin token, which signs a person in to the console. */
  adminToken: string;
  config: Pick<Config, "integration">;
  logger: Logger;
  /** The management API's OpenAPI document, which the reference page shows. */
  apiDocument: ApiReferenceDocument;
  /** Answers with a tenant's event stream (the console's live list), as the API's stream does. */
  streamEvents: EventStreamAnswer;
}

/**
 * The web UI: server-rendered HTML pages outside `/api`, without the admin token. Mounted at the
 * root; its middleware is scoped to the pages' own paths so the API's answers stay as they are.
 */
export function pageRoutes(deps: PageDeps): Hono {
  const app = new Hono({ strict: false });
  const integration = deps.config.integration;
  // The setup form's answer redirects to Vercel's `next`: the CSP's form-action must allow it.
  const vercelOrigins = integration ? [new URL(integration.vercel.siteUrl).origin] : [];
  // The installation's events pages are the console's, whose live list runs a script: their CSP
  // allows the console's scripts. Registered first, this middleware sets the header last, over
  // the one of every other integration page, which allows no script.
  app.use("/integrations/vercel/events", pageSecurityHeaders(vercelOrigins, CONSOLE_SCRIPTS));
  app.use("/integrations/vercel/events/*", pageSecurityHeaders(vercelOrigins, CONSOLE_SCRIPTS));
  app.use("/integrations/vercel/*", pageSecurityHeaders(vercelOrigins));
  app.get("/favicon.svg", (c) =>
    c.body(FAVICON_SVG, 200, {
      "content-type": "image/svg+xml",
      "cache-control": "public, max-age=86400",
      "x-content-type-options": "nosniff",
    }),
  );
  app.get("/integrations/vercel/closed", (c) =>
    renderPage(
      c,
      <MessagePage
        title="You may close this window"
        message="Nothing more is needed here. Close this window to return to Vercel."
      />,
    ),
  );
  // Under /api, but a page: served before the API's admin token is asked for, as the document is.
  app.use(API_REFERENCE_PATH, pageSecurityHeaders());
  app.get(API_REFERENCE_PATH, (c) =>
    renderPage(c, <ApiReferencePage document={deps.apiDocument} documentPath="/api/v1/openapi.json" />),
  );
  if (integration)
    app.route(
      "/",
      integrationPages({
        operations: deps.operations,
        integration,
        logger: deps.logger,
        streamEvents: deps.streamEvents,
      }),
    );
  const sessions = deps.operations.consoleSessions(deps.adminToken);
  for (const path of CONSOLE_PATHS) app.use(path, pageSecurityHeaders([], CONSOLE_SCRIPTS));
  app.route(
    "/",
    consolePages({
      operations: deps.operations,
      sessions,
      logger: deps.logger,
      streamEvents: deps.streamEvents,
    }),
  );
  return app;
}
