import type { ClaimedDelivery } from "../core/delivery-types.js";
import type { Destination } from "../core/destination.js";
import { signStandardWebhooks, signVercel } from "./signing.js";

/** The headers of one attempt: fixed ones, the destination's own, then the signature of the exact bytes sent. */
export function attemptHeaders(
  delivery: ClaimedDelivery,
  destination: Pick<Destination, "headers" | "signing">,
  attemptNumber: number,
  now: number,
  userAgent: string,
  payload: { body: Uint8Array; contentType: string } = {
    body: delivery.body,
    contentType: "application/json",
  },
): Record<string, string> {
  const headers: Record<string, string> = {
    ...destination.headers,
    "content-type": payload.contentType,
    "user-agent": userAgent,
    "x-switchyard-event-type": delivery.eventType,
    "x-switchyard-event-id": delivery.eventId,
    "x-switchyard-delivery-id": delivery.id,
    "x-switchyard-attempt": String(attemptNumber),
  };
  const { scheme, secrets } = destination.signing;
  if (scheme === "standard-webhooks") {
    // The delivery id is the message id: stable across retries, usable as an idempotency key.
    Object.assign(headers, signStandardWebhooks(secrets, delivery.id, Math.floor(now / 1000), payload.body));
  } else if (scheme === "vercel") {
    Object.assign(headers, signVercel(secrets[0] as string, payload.body));
  }
  return headers;
}
