import { secretsEqual } from "../core/secrets.js";
import { tokenHash } from "../core/token-hash.js";
import { CONSOLE_SESSION_OWNER } from "../storage/port.js";
import { checkCsrfOf, csrfTokenOf } from "./browser-session.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";
import { randomToken } from "./install-flow.js";

/** How long a console session lasts after signing in. */
export const CONSOLE_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * Sessions of the console: a person signs in with the admin token once and the browser carries a
 * random session value (the store keeps its hash), never the token itself. Forms carry a CSRF
 * token derived from the session.
 */
export class ConsoleSessions {
  constructor(
    private readonly deps: Pick<OperationsDeps, "store" | "clock">,
    private readonly adminToken: string,
  ) {}

  /** A new session for the holder of the admin token (compared in constant time); 401 `invalid_token` otherwise. */
  async signIn(token: string | undefined): Promise<{ session: string; expiresAt: number }> {
    if (!token || !secretsEqual(token, this.adminToken))
      throw new OperationError("invalid_token", "that is not this server's admin token");
    const session = randomToken();
    const expiresAt = this.deps.clock.now() + CONSOLE_SESSION_TTL_MS;
    await this.deps.store.installations.createConsoleSession(tokenHash(session), expiresAt);
    return { session, expiresAt };
  }

  /** Whether the browser's session value is a live console session. */
  async isLive(session: string | undefined): Promise<boolean> {
    if (!session) return false;
    const owner = await this.deps.store.installations.getSession(tokenHash(session), this.deps.clock.now());
    return owner === CONSOLE_SESSION_OWNER;
  }

  /** Ends the session (signing out). */
  async signOut(session: string | undefined): Promise<void> {
    if (session) await this.deps.store.installations.deleteSession(tokenHash(session));
  }

  csrfToken(session: string): string {
    return csrfTokenOf(session);
  }

  checkCsrf(session: string, token: string | undefined): void {
    checkCsrfOf(session, token);
  }
}
