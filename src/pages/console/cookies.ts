import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { CONSOLE_SESSION_TTL_MS } from "../../operations/console-sessions.js";

const SESSION = "switchyard_console";

/**
 * The console's session cookie: HttpOnly, SameSite=Lax (a link from elsewhere opens the console
 * signed in; a cross-site POST carries no cookie), Secure when the request came over https, and
 * scoped to the whole site (the console lives at the root).
 */
export const consoleCookies = {
  session(c: Context): string | undefined {
    return getCookie(c, SESSION);
  },
  setSession(c: Context, value: string): void {
    setCookie(c, SESSION, value, { ...base(c), maxAge: CONSOLE_SESSION_TTL_MS / 1000 });
  },
  clearSession(c: Context): void {
    deleteCookie(c, SESSION, base(c));
  },
};

function base(c: Context): CookieOptions {
  const https = new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
  return { path: "/", httpOnly: true, sameSite: "Lax", secure: https };
}
