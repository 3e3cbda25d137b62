/**
 * `switchyard/vercel/hono`: a Hono middleware that verifies Vercel's webhooks and puts the typed
 * event in `c.var.vercelEvent`. Web APIs only, so it runs wherever Hono does.
 *
 * ```ts
 * app.post("/vercel", vercelWebhookMiddleware({ secret: env.VERCEL_WEBHOOK_SECRET }), (c) => {
 *   const event = c.var.vercelEvent;
 *   return c.json({ ok: true });
 * });
 * ```
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import type { VercelEvent } from "./catalog.js";
import {
  maxBytesOf,
  missingSignature,
  readRequestBody,
  SIGNATURE_HEADER,
  tooLarge,
  usableSecrets,
  type VercelWebhookSecrets,
  type VerifyOptions,
  verifyVercelPayload,
} from "./verify-webhook.js";
import { isVercelWebhookError } from "./webhook-errors.js";

export type { VercelWebhookSecrets } from "./verify-webhook.js";
export { isVercelWebhookError, VercelWebhookError, type VercelWebhookErrorCode } from "./webhook-errors.js";

/** The variables the middleware sets, for `new Hono<VercelWebhookEnv>()` or a route's own typing. */
export type VercelWebhookEnv = { Variables: { vercelEvent: VercelEvent } };

/** Options of {@link vercelWebhookMiddleware}. */
export interface VercelWebhookMiddlewareOptions<E extends Env = Env> extends VerifyOptions {
  /**
   * The webhook's secret, or several while one is rotated; or a function of the request's context,
   * for runtimes whose secrets are bindings (`(c) => c.env.VERCEL_WEBHOOK_SECRET` on Workers).
   */
  secret: VercelWebhookSecrets | ((c: Context<E>) => VercelWebhookSecrets);
}

/**
 * A middleware that verifies the request as a Vercel webhook: a refused one is answered with its
 * code's status and `{ code, message }` and goes no further; a verified one goes on with its event
 * in `c.var.vercelEvent`. A missing secret throws (Hono's `onError`, a 500 by default).
 */
export function vercelWebhookMiddleware<E extends Env = Env>(
  options: VercelWebhookMiddlewareOptions<E>,
): MiddlewareHandler<E & VercelWebhookEnv> {
  return async (c, next) => {
    const { secret } = options;
    // The context is E's with the middleware's variable added; Hono's types cannot see it as E's.
    const secrets = usableSecrets(typeof secret === "function" ? secret(c as unknown as Context<E>) : secret);
    const maxBytes = maxBytesOf(options);
    try {
      const signature = c.req.header(SIGNATURE_HEADER);
      if (signature === undefined || signature === "") throw missingSignature();
      let body: Uint8Array<ArrayBuffer>;
      if (c.req.raw.bodyUsed) {
        // An earlier middleware read the body through c.req: Hono kept it.
        body = new Uint8Array(await c.req.arrayBuffer());
        if (body.byteLength > maxBytes) throw tooLarge(maxBytes);
      } else {
        body = await readRequestBody(c.req.raw, maxBytes);
        // Handlers after this one may still call c.req.json() or text(): Hono serves them from its
        // cache, which holds promises although its type names the values (a test holds it to that).
        const cache = c.req.bodyCache as unknown as { arrayBuffer?: Promise<ArrayBuffer> };
        cache.arrayBuffer = Promise.resolve(body.buffer);
      }
      c.set("vercelEvent", await verifyVercelPayload(body, signature, secrets));
    } catch (error) {
      if (isVercelWebhookError(error)) return c.json(error.toJSON(), error.status);
      throw error;
    }
    await next();
  };
}
