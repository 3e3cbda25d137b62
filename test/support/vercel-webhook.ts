import { eventCatalog, sampleEvent } from "../../src/vercel/index.js";
import { signVercelBody } from "../../src/vercel/node.js";

/** A signed delivery: the exact body bytes and its `x-vercel-signature`. */
export interface SignedDelivery {
  body: string;
  signature: string;
  event: { id: string; type: string };
}

/** A sample event of `type` (any spelling), as Vercel would send it, signed under `secret`. */
export function signedSample(type: string, secret: string): SignedDelivery {
  const event = sampleEvent(type) as { id: string; type: string };
  const body = JSON.stringify(event);
  return { body, signature: signVercelBody(body, secret), event };
}

/** `body` signed under `secret`, for bodies that are not samples. */
export function signed(body: string, secret: string): { body: string; signature: string } {
  return { body, signature: signVercelBody(body, secret) };
}

/** Every spelling of every catalog type: canonical names, aliases and legacy types. */
export function everySpelling(): string[] {
  return eventCatalog.flatMap((entry) => [entry.type, ...entry.aliases]);
}

/** A POST `Request` carrying `body` with the signature header (left out when `signature` is undefined). */
export function webhookRequest(
  body: string | ReadableStream<Uint8Array> | null,
  signature: string | undefined,
  url = "http://app.test/vercel",
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== undefined) headers["x-vercel-signature"] = signature;
  return new Request(url, {
    method: "POST",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  });
}
