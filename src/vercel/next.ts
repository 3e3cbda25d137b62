/**
 * `switchyard/vercel/next`: a Next.js App Router route handler that verifies Vercel's webhooks and
 * hands each event to the function given for its type. It uses only Web APIs (no Next import), so
 * it runs on the Node.js and the Edge runtimes alike.
 *
 * ```ts
 * // app/api/vercel/route.ts
 * export const POST = vercelWebhookHandler({
 *   secret: process.env.VERCEL_WEBHOOK_SECRET,
 *   on: { "deployment.error": async (event) => alert(event.payload.deployment.url) },
 * });
 * ```
 */
import type { VercelEvent, VercelEventOf, VercelEventType } from "./catalog.js";
import { lookupEventType } from "./lookup.js";
import {
  usableSecrets,
  type VercelWebhookSecrets,
  type VerifyOptions,
  verifyVercelWebhook,
} from "./verify-webhook.js";
import { isVercelWebhookError, webhookErrorResponse } from "./webhook-errors.js";

/**
 * A function per event type, keyed by the canonical name (the catalog's, e.g. `domain.certificate-add`);
 * each gets its event typed as that type, whichever of Vercel's spellings it arrived with.
 * A function may return a `Response` to answer with; anything else answers `200 { ok: true }`.
 */
export type VercelEventHandlers = {
  [T in VercelEventType]?: (event: VercelEventOf<T>) => unknown;
};

/** Options of {@link vercelWebhookHandler}. */
export interface VercelWebhookHandlerOptions extends VerifyOptions {
  /** The webhook's secret, or several while one is rotated. Read at each request, so it may be unset at build time. */
  secret: VercelWebhookSecrets;
  /** What to do with each event type; a verified event of a type left out is answered 200 and dropped. */
  on: VercelEventHandlers;
}

/**
 * Runs the handler of `on` for the event's type (any spelling); resolves to what it returned, or
 * undefined when `on` has none.
 */
export async function dispatchVercelEvent(event: VercelEvent, on: VercelEventHandlers): Promise<unknown> {
  const entry = lookupEventType(event.type);
  if (entry === undefined) return undefined;
  const handler = on[entry.type] as ((event: VercelEvent) => unknown) | undefined;
  return handler === undefined ? undefined : await handler(event);
}

/**
 * A route handler (`export const POST = …`) for Vercel's webhooks: a refused request is answered
 * with its code's status and `{ code, message }` (401 for a bad or missing signature, 400 for a
 * body that is not a known event, 413 for one too large), never a 200. An error thrown by a
 * handler, or a missing secret, is thrown on, so that Next answers 500 and Vercel retries.
 */
export function vercelWebhookHandler(
  options: VercelWebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const secrets = usableSecrets(options.secret);
    let event: VercelEvent;
    try {
      event = await verifyVercelWebhook(request, secrets, options);
    } catch (error) {
      if (isVercelWebhookError(error)) return webhookErrorResponse(error);
      throw error;
    }
    const answer = await dispatchVercelEvent(event, options.on);
    return answer instanceof Response ? answer : Response.json({ ok: true });
  };
}

export type { VercelWebhookSecrets } from "./verify-webhook.js";
export { isVercelWebhookError, VercelWebhookError, type VercelWebhookErrorCode } from "./webhook-errors.js";
