import { Hono } from "hono";
import { pageRoutes } from "../pages/app.js";
import type { ApiDeps, ApiEnv } from "./api-env.js";
import { adminAuth } from "./middleware/admin-auth.js";
import { answerError, answerNotFound } from "./middleware/error-answers.js";
import { requestId } from "./middleware/request-id.js";
import { tenantParam } from "./middleware/tenant.js";
import { actionRoutes } from "./routes/actions.js";
import { checkRoutes } from "./routes/checks.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { destinationRoutes } from "./routes/destinations.js";
import { eventStreamRoutes } from "./routes/event-stream.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { installationRoutes } from "./routes/installations.js";
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
  app.route("/", pageRoutes(deps));
  app.use("/api/*", adminAuth(deps.adminToken));
  app.use("/api/*", tenantParam());
  // Before the event routes: `/events/stream` is not an event id.
  app.route("/api/v1", eventStreamRoutes(deps));
  app.route("/api/v1", eventRoutes(deps));
  app.route("/api/v1", replayRoutes(deps));
  app.route("/api/v1", deliveryRoutes(deps));
  app.route("/api/v1", destinationRoutes(deps));
  app.route("/api/v1", routeTestRoutes(deps));
  app.route("/api/v1", routeDefinitionRoutes(deps));
  app.route("/api/v1", sourceRoutes(deps));
  app.route("/api/v1", tenantRoutes(deps));
  app.route("/api/v1", installationRoutes(deps));
  app.route("/api/v1", actionRoutes(deps));
  app.route("/api/v1", checkRoutes(deps));
  return app;
}
