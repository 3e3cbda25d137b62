import { createHmac } from "node:crypto";

/** Hex HMAC-SHA1, written here independently of the code under test. */
export function vercelSignature(body: string | Buffer, secret: string): string {
  return createHmac("sha1", secret).update(body).digest("hex");
}

/** POSTs a body to a source with the given headers; returns status and parsed JSON. */
export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, body: json, headers: response.headers };
}

/** POSTs a Vercel event signed with `secret`. */
export function sendVercel(appUrl: string, event: unknown, secret: string, source = "vercel") {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  return post(`${appUrl}/ingest/${source}`, body, { "x-vercel-signature": vercelSignature(body, secret) });
}
