import { createServer, type Server } from "node:http";
import Router from "find-my-way";
import { UnverifiedBytes } from "../ingest/unverified-bytes.js";
import { answerClientError } from "./client-errors.js";
import type { AppContext } from "./context.js";
import { HttpError, sendError } from "./errors.js";
import type { AppRouter } from "./route.js";
import { registerDeliveryRoutes } from "./routes/deliveries.js";
import { registerDestinationRoutes } from "./routes/destinations.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIngestRoutes } from "./routes/ingest.js";
import { registerReplayRoutes } from "./routes/replay.js";
import { registerRouteTestRoutes } from "./routes/routes.js";
import { observeServer } from "./server-metrics.js";

/** Builds the router with every route registered. */
export function createRouter(ctx: AppContext, serveApi: boolean, unverified: UnverifiedBytes): AppRouter {
  const router = Router({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => sendError(res, new HttpError("not_found", "no such route")),
  });
  registerHealthRoutes(router, ctx);
  if (!serveApi) return router;
  registerIngestRoutes(router, ctx, unverified);
  registerEventRoutes(router, ctx);
  registerDestinationRoutes(router, ctx);
  registerDeliveryRoutes(router, ctx);
  registerReplayRoutes(router, ctx);
  registerRouteTestRoutes(router, ctx);
  return router;
}

const CLOSE = { connection: "close" };

/**
 * How often Node looks for requests past `headersTimeout` or `requestTimeout` (its default is
 * 30 s, which would let either run that much longer): often enough that each holds to within a
 * quarter of itself, and to a second at most.
 */
function checkingInterval(headersTimeout: number): number {
  return Math.max(25, Math.min(1_000, Math.floor(headersTimeout / 4)));
}

/**
 * The HTTP server: ingest, management API and health on one port. Bounded against clients that
 * hold it open: headers and whole requests must arrive within their timeouts (else 408 and
 * close), idle keep-alive connections close after `keepAliveTimeout`, connections past
 * `maxConnections` are closed as they come, and unverified ingest bodies share
 * `limits.maxUnverifiedBytes`.
 */
export function createHttpServer(ctx: AppContext, serveApi = true): Server {
  const { server: settings, limits } = ctx.config;
  const unverified = new UnverifiedBytes(limits.maxUnverifiedBytes, limits.maxUnverifiedBytesPerClient);
  const router = createRouter(ctx, serveApi, unverified);
  const server = createServer({
    keepAliveTimeout: settings.keepAliveTimeout,
    headersTimeout: settings.headersTimeout,
    requestTimeout: settings.requestTimeout,
    connectionsCheckingInterval: checkingInterval(settings.headersTimeout),
    // Node would answer this itself, with an empty body; here it gets its code like the rest.
    requireHostHeader: false,
  });
  server.maxConnections = settings.maxConnections;
  const metrics = observeServer(ctx.metrics.registry, server, unverified);
  server.on("request", (req, res) => {
    if (req.headers.host === undefined && req.httpVersion === "1.1") {
      metrics.clientError("bad_request");
      sendError(res, new HttpError("bad_request", "an HTTP/1.1 request needs a host header", CLOSE));
      return;
    }
    router.lookup(req, res);
  });
  server.on("clientError", (error: Error & { code?: string }, socket) => {
    const code = answerClientError(error, socket);
    if (code !== null) metrics.clientError(code);
  });
  return server;
}
