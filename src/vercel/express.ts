/**
 * `switchyard/vercel/express`: an Express middleware that verifies Vercel's webhooks and puts the
 * typed event in `res.locals.vercelEvent`. It reads the raw body itself, so it goes before any JSON
 * parser (or after `express.raw()`, whose Buffer it uses).
 *
 * ```ts
 * app.post("/vercel", vercelWebhookMiddleware({ secret: process.env.VERCEL_WEBHOOK_SECRET }),
 *   (req, res: Response<unknown, VercelWebhookLocals>) => { res.locals.vercelEvent; res.json({ ok: true }); });
 * ```
 */
import type { NextFunction, Request, Response } from "express";
import type { VercelEvent } from "./catalog.js";
import { verifyVercelRequest } from "./node.js";
import { usableSecrets, type VercelWebhookSecrets, type VerifyOptions } from "./verify-webhook.js";
import { isVercelWebhookError } from "./webhook-errors.js";

export type { VercelWebhookSecrets } from "./verify-webhook.js";
export { isVercelWebhookError, VercelWebhookError, type VercelWebhookErrorCode } from "./webhook-errors.js";

/** What the middleware puts in `res.locals`: type a later handler's `res` as `Response<unknown, VercelWebhookLocals>`. */
export interface VercelWebhookLocals extends Record<string, unknown> {
  vercelEvent: VercelEvent;
}

/** Options of {@link vercelWebhookMiddleware}. */
export interface VercelWebhookMiddlewareOptions extends VerifyOptions {
  /** The webhook's secret, or several while one is rotated. */
  secret: VercelWebhookSecrets;
}

/**
 * A middleware that verifies the request as a Vercel webhook: a refused one is answered with its
 * code's status and `{ code, message }` and goes no further; a verified one goes on with its event
 * in `res.locals.vercelEvent`. A missing secret or an already parsed body goes to `next(error)`.
 */
export function vercelWebhookMiddleware(
  options: VercelWebhookMiddlewareOptions,
): (req: Request, res: Response<unknown, VercelWebhookLocals>, next: NextFunction) => Promise<void> {
  return async (req, res, next) => {
    try {
      res.locals.vercelEvent = await verifyVercelRequest(req, usableSecrets(options.secret), options);
    } catch (error) {
      if (!isVercelWebhookError(error)) return next(error);
      // A body refused before it was read whole is not drained: the connection closes instead.
      if (error.code === "payload_too_large" || !req.readableEnded) res.set("connection", "close");
      res.status(error.status).json(error.toJSON());
      return;
    }
    next();
  };
}
