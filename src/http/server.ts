import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import Router from "find-my-way";
import { UnverifiedBytes } from "../ingest/unverified-bytes.js";
import { createApiApp } from "./app.js";
import { answerClientError } from "./client-errors.js";
import type { AppContext } from "./context.js";
import { HttpError, sendError } from "./errors.js";
import { ingestHandler, sharedIngestHandler } from "./routes/ingest.js";
import { observeServer } from "./server-metrics.js";

/**
 * Sends `/ingest/:source` (any method: ingest answers its own 405) to the raw ingest handler, and
 * every other request to the Hono app. Ingest stays on node:http because it is the hot path: the
 * adapter costs about 30 % of a 2 KB signed POST, and ingest's limits (the unverified-bytes
 * budget, the signature check before the body is read) act on the raw request. find-my-way still
 * matches ingest's path, so it decodes and takes a trailing slash exactly as it always has.
 */
function dispatcher(ctx: AppContext, serveApi: boolean, unverified: UnverifiedBytes) {
  const api = getRequestListener(createApiApp(ctx, serveApi).fetch, {
    // The app is called through its own listener only: the process's globals stay Node's.
    overrideGlobalObjects: false,
  });
  const router = Router({
    ignoreTrailingSlash: true,
    defaultRoute: (req, res) => void api(req, res),
  });
  if (serveApi) {
    const ingest = ingestHandler(ctx, unverified);
    router.all("/ingest/:source", (req, res, params) => ingest(req, res, params.source ?? ""));
    if (ctx.integrationWebhook) {
      const webhook = sharedIngestHandler(ctx, unverified, ctx.integrationWebhook);
      router.all("/integrations/vercel/webhook", (req, res) => webhook(req, res));
    }
  }
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
  const router = dispatcher(ctx, serveApi, unverified);
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
