import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { SESSION_TTL_MS, STATE_TTL_MS } from "../../operations/install-flow.js";

/** The browser's proof that it started an install (its `state` is bound to it). */
const BINDING = "switchyard_install";
/** The configuration page a browser asked for before it had proved it controls that installation. */
const RETURN_TO = "switchyard_return";
/** The browser's session, bound to one installation. */
const SESSION = "switchyard_session";

/**
 * The integration pages' cookies: HttpOnly, SameSite=Lax (Vercel's redirect back is a top-level
 * GET from vercel.com, which Lax lets through; a cross-site POST is not), Secure when the public
 * URL is https, and scoped to the integration's paths.
 */
export class IntegrationCookies {
  readonly #base: CookieOptions;

  constructor(publicUrl: string) {
    this.#base = {
      path: "/integrations/vercel",
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(publicUrl).protocol === "https:",
    };
  }

  binding(c: Context): string | undefined {
    return getCookie(c, BINDING);
  }

  setBinding(c: Context, value: string): void {
    setCookie(c, BINDING, value, { ...this.#base, maxAge: STATE_TTL_MS / 1000 });
  }

  returnTo(c: Context): string | undefined {
    return getCookie(c, RETURN_TO);
  }

  setReturnTo(c: Context, configurationId: string | null): void {
    if (configurationId === null) deleteCookie(c, RETURN_TO, this.#base);
    else setCookie(c, RETURN_TO, configurationId, { ...this.#base, maxAge: STATE_TTL_MS / 1000 });
  }

  session(c: Context): string | undefined {
    return getCookie(c, SESSION);
  }

  setSession(c: Context, value: string): void {
    setCookie(c, SESSION, value, { ...this.#base, maxAge: SESSION_TTL_MS / 1000 });
  }

  /** Ends the install's own cookies once the Redirect URL has used them. */
  clearInstall(c: Context): void {
    deleteCookie(c, BINDING, this.#base);
    deleteCookie(c, RETURN_TO, this.#base);
  }

  clearSession(c: Context): void {
    deleteCookie(c, SESSION, this.#base);
  }
}
