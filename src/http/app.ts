import { Hono } from "hono";
import { pageRoutes } from "../pages/app.js";
import { VERSION } from "../version.js";
import type { ApiDeps, ApiEnv } from "./api-env.js";
import { type ApiRegistry, ApiRoutes } from "./api-spec.js";
import { adminAuth } from "./middleware/admin-auth.js";
import { answerError, answerNotFound } from "./middleware/error-answers.js";
import { requestId } from "./middleware/request-id.js";
import { tenantParam } from "./middleware/tenant.js";
import { buildOpenApi, type OpenApiDocument } from "./openapi.js";
import { actionRoutes } from "./routes/actions.js";
import { checkRoutes } from "./routes/checks.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { destinationRoutes } from "./routes/destinations.js";
import { eventStreamResponder, eventStreamRoutes } from "./routes/event-stream.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { installationRoutes } from "./routes/installations.js";
import { openApiRoutes } from "./routes/openapi.js";
import { replayRoutes } from "./routes/replay.js";
import { routeDefinitionRoutes } from "./routes/route-definitions.js";
import { routeTestRoutes } from "./routes/routes.js";
import { sourceRoutes } from "./routes/sources.js";
import { tenantRoutes } from "./routes/tenants.js";

/**
 * Everything but ingest, as one Hono app: health and metrics (open), and, when `serveApi`, the
 * pages (open, `src/pages/`) and the management API under `/api/v1`, all of it behind the admin
 * token. Each request gets an id; what
 * a handler throws is answered in one place. Call it through `app.request()` in tests, through
 * the node:http server otherwise.
 */
export function createApiApp(deps: ApiDeps, serveApi = true): Hono<ApiEnv> {
  // Not strict: `/api/v1/events/` is `/api/v1/events`, as it always was.
  const app = new Hono<ApiEnv>({ strict: false });
  app.use("*", requestId(deps.logger));
  app.onError(answerError(deps.logger));
  app.notFound(answerNotFound);
  app.route("/", healthRoutes(deps));
  if (!serveApi) return app;
  const { open, guarded, document } = managementApi(deps);
  app.route("/", pageRoutes({ ...deps, apiDocument: document, streamEvents: eventStreamResponder(deps) }));
  app.route("/api/v1", open.app);
  app.use("/api/*", adminAuth(deps.adminToken));
  app.use("/api/*", tenantParam());
  app.route("/api/v1", guarded.app);
  return app;
}

/**
 * The management API's routes, each declared in one registry, and the OpenAPI document built
 * from it: `open` is served without the admin token (the document), `guarded` behind it.
 */
export function managementApi(deps: ApiDeps): {
  open: ApiRoutes;
  guarded: ApiRoutes;
  document: OpenApiDocument;
} {
  const registry: ApiRegistry = [];
  const open = new ApiRoutes(registry);
  const guarded = new ApiRoutes(registry);
  // Before the event routes: `/events/stream` is not an event id.
  eventStreamRoutes(guarded, deps);
  eventRoutes(guarded, deps);
  replayRoutes(guarded, deps);
  deliveryRoutes(guarded, deps);
  destinationRoutes(guarded, deps);
  routeTestRoutes(guarded, deps);
  routeDefinitionRoutes(guarded, deps);
  sourceRoutes(guarded, deps);
  tenantRoutes(guarded, deps);
  installationRoutes(guarded, deps);
  actionRoutes(guarded, deps);
  checkRoutes(guarded, deps);
  let document: OpenApiDocument | null = null;
  openApiRoutes(open, () => {
    document ??= buildOpenApi(registry, VERSION);
    return document;
  });
  document = buildOpenApi(registry, VERSION);
  return { open, guarded, document };
}
