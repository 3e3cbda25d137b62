import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Router from "find-my-way";
import type { AppContext } from "./context.js";
import { HttpError, sendError } from "./errors.js";
import { registerDeliveryRoutes } from "./routes/deliveries.js";
import { registerDestinationRoutes } from "./routes/destinations.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIngestRoutes } from "./routes/ingest.js";
import { registerReplayRoutes } from "./routes/replay.js";
import { registerRouteTestRoutes } from "./routes/routes.js";

/** A route handler: may throw HttpError, which becomes `{ code, message }`. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
  query: URLSearchParams,
) => Promise<void> | void;

export type AppRouter = Router.Instance<Router.HTTPVersion.V1>;

/** Wraps a handler so every thrown error maps to one JSON answer, and nothing crashes the process. */
export function route(ctx: AppContext, handler: Handler): Router.Handler<Router.HTTPVersion.V1> {
  return (req, res, params, _store, searchParams) => {
    const query = new URLSearchParams(searchParams as Record<string, string>);
    Promise.resolve()
      .then(() => handler(req, res, params, query))
      .catch((error: unknown) => {
        if (!(error instanceof HttpError)) ctx.logger.error({ err: error, url: req.url }, "request failed");
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendError(res, error instanceof HttpError ? error : new HttpError("internal", "internal error"));
      });
  };
}

/** Builds the router with every route registered. */
export function createRouter(ctx: AppContext, serveApi = true): AppRouter {
  const router = Router({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => sendError(res, new HttpError("not_found", "no such route")),
  });
  registerHealthRoutes(router, ctx);
  if (!serveApi) return router;
  registerIngestRoutes(router, ctx);
  registerEventRoutes(router, ctx);
  registerDestinationRoutes(router, ctx);
  registerDeliveryRoutes(router, ctx);
  registerReplayRoutes(router, ctx);
  registerRouteTestRoutes(router, ctx);
  return router;
}

/** The HTTP server: ingest, management API and health on one port. */
export function createHttpServer(ctx: AppContext, serveApi = true): Server {
  const router = createRouter(ctx, serveApi);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => router.lookup(req, res));
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
  });
  return server;
}
