import type { RecordedRequest } from "./fake-vercel-types.js";

/** What one of the fake Vercel's origins answers a request: a status, headers and a body. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer, as api.vercel.com sends it. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

/** Vercel's error answer: `{"error": {"code", "message", …}}`. */
export function error(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Answer {
  return json(status, { error: { code, message, ...extra } }, headers);
}

/** An HTML page of the fake's site. */
export function html(status: number, body: string): Answer {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body };
}

/** A redirect: 302 as Vercel's install flow sends, 303 after a form POST. */
export function redirect(location: string, status: 302 | 303 = 302): Answer {
  return { status, headers: { location }, body: "" };
}

/** A project as GET /v10/projects lists it: the fields @vercel/sdk's schema requires, and a few more. */
export function projectBody(p: { id: string; name: string; accountId: string; updatedAt: number }) {
  return {
    accountId: p.accountId,
    id: p.id,
    name: p.name,
    alias: [],
    createdAt: p.updatedAt,
    updatedAt: p.updatedAt,
    deploymentExpiration: {},
    directoryListing: false,
    framework: null,
    nodeVersion: "22.x",
    resourceConfig: { functionDefaultRegions: ["iad1"] },
    serverlessFunctionRegion: "iad1",
  };
}

/** A request's JSON object body; null when it is not `application/json` or not an object. */
export function jsonBody(r: RecordedRequest): Record<string, unknown> | null {
  const type = (r.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return null;
  try {
    const parsed: unknown = JSON.parse(r.body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
