import type { MiddlewareHandler } from "hono";
import { PAGE_STYLE_HASH } from "./layout.js";
import type { PageScript } from "./page-script.js";

/**
 * The pages' Content-Security-Policy: nothing loads but the layout's own inline stylesheet (by
 * its hash), no script runs but the `scripts` given (by hash), forms post only here, and no site
 * may frame a page. Chromium also holds a
 * redirect that answers a form post to `form-action`: a page whose form ends at vercel.com must
 * name that origin here.
 */
export function pageCsp(
  formActionOrigins: readonly string[] = [],
  scripts: readonly PageScript[] = [],
): string {
  return [
    "default-src 'none'",
    `style-src ${PAGE_STYLE_HASH}`,
    // A page's own scripts (by hash), which may read this server's API and streams, and no other.
    ...(scripts.length > 0
      ? [`script-src ${scripts.map((s) => s.hash).join(" ")}`, "connect-src 'self'"]
      : []),
    "img-src 'self'",
    `form-action ${["'self'", ...formActionOrigins].join(" ")}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The CSP of pages whose forms end on this server only. */
export const PAGE_CSP = pageCsp();

/**
 * The headers every page answers with. Vercel opens the setup page in a popup, never a frame,
 * so framing is refused outright. No Cross-Origin-Opener-Policy: it would cut the popup off from
 * the Vercel window that opened it.
 */
const PAGE_HEADERS: Record<string, string> = {
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  // Pages show an installation's own settings: no shared cache may keep them.
  "cache-control": "no-store",
};

/**
 * Sets the pages' security headers on every answer of the routes it guards, errors included.
 * `formActionOrigins` are the other origins a form may end at (Vercel's site, where the setup
 * form's answer redirects); `scripts` the inline scripts its pages may run.
 */
export function pageSecurityHeaders(
  formActionOrigins: readonly string[] = [],
  scripts: readonly PageScript[] = [],
): MiddlewareHandler {
  const csp = pageCsp(formActionOrigins, scripts);
  return async (c, next) => {
    await next();
    c.res.headers.set("content-security-policy", csp);
    for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
  };
}
