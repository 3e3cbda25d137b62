/** Route registration shared by server.ts and routes/*, apart from both so that neither imports the other. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Router from "find-my-way";
import type { AppContext } from "./context.js";
import { HttpError, sendError } from "./errors.js";

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
