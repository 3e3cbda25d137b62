import { randomBytes } from "node:crypto";
import type { IntegrationConfig } from "../config/schema.js";
import { tokenHash } from "../core/token-hash.js";
import { installationTokenContext } from "../integration/token.js";
import { integrationUrls } from "../integration/urls.js";
import { type VercelApi, VercelApiError } from "../integration/vercel-api.js";
import type { Installation } from "../storage/port.js";
import { checkCsrfOf, csrfTokenOf } from "./browser-session.js";
import type { OperationsDeps } from "./context.js";
import { OperationError } from "./errors.js";

/** How long an install's `state` may wait for Vercel's redirect back. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** How long a browser stays signed in to its installation's pages. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** A new random bearer value: 256 bits, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the Redirect URL received. */
export interface CallbackInput {
  code: string | undefined;
  configurationId: string | undefined;
  /** Present in the external flow: must be the one this browser was given. */
  state: string | undefined;
  /** The browser's binding cookie, when it has one. */
  binding: string | undefined;
}

/** A completed install: the installation and the new session of the browser that did it. */
export interface CompletedInstall {
  installation: Installation;
  /** The session's bearer value, for the browser's cookie; the store keeps only its hash. */
  session: string;
}

/**
 * The install flow of the Vercel integration: the external flow's `state` bound to the browser,
 * the Redirect URL's code exchange, and the browser sessions that let a person see and change
 * their own installation's settings, and nothing else.
 */
export class InstallFlow {
  constructor(private readonly deps: OperationsDeps) {}

  /** Starts the external flow: a single-use state bound to `binding` (the browser's cookie), and where to send the browser. */
  async begin(binding: string): Promise<{ state: string; location: string }> {
    const { integration } = this.configured();
    const state = randomToken();
    const now = this.deps.clock.now();
    await this.deps.store.installations.createState(tokenHash(state), tokenHash(binding), now + STATE_TTL_MS);
    const location = new URL(`${integration.vercel.siteUrl}/integrations/${integration.slug}/new`);
    location.searchParams.set("state", state);
    return { state, location: location.toString() };
  }

  /**
   * Completes an install at the Redirect URL: checks the state when there is one, exchanges the
   * code, stores the installation (its token sealed) and starts a session for this browser.
   * Nothing is stored when any step fails.
   */
  async complete(input: CallbackInput): Promise<CompletedInstall> {
    const { integration, vercel } = this.configured();
    if (!input.code || !input.configurationId)
      throw new OperationError(
        "invalid_request",
        "the install link is incomplete: Vercel sends `code` and `configurationId`",
      );
    const now = this.deps.clock.now();
    if (input.state !== undefined) {
      const valid =
        input.binding !== undefined &&
        (await this.deps.store.installations.consumeState(
          tokenHash(input.state),
          tokenHash(input.binding),
          now,
        ));
      if (!valid)
        throw new OperationError(
          "invalid_state",
          "this install was not started from this browser, was completed already, or took more than 10 minutes",
        );
    }
    const token = await this.exchange(vercel, integration, input.code);
    if (token.installationId !== input.configurationId)
      throw new OperationError(
        "code_exchange_failed",
        "the code Vercel exchanged belongs to another configuration than the one named in the link",
      );
    const existing = await this.deps.store.installations.get(token.installationId);
    const keep = existing?.status === "active" ? existing : null;
    const installation = await this.deps.store.installations.upsert(
      {
        id: token.installationId,
        teamId: token.teamId,
        userId: token.userId,
        accessToken: this.deps.secrets.seal(
          token.accessToken,
          installationTokenContext(token.installationId),
        ),
        scopes: keep?.scopes ?? [],
        projects: keep?.projects ?? "all",
      },
      now,
    );
    const session = randomToken();
    await this.deps.store.installations.createSession(
      tokenHash(session),
      installation.id,
      now + SESSION_TTL_MS,
    );
    return { installation, session };
  }

  /** The installation a browser session is bound to, when the session is live and the installation active. */
  async sessionInstallation(session: string | undefined): Promise<Installation | null> {
    if (!session) return null;
    const tenant = await this.deps.store.installations.getSession(tokenHash(session), this.deps.clock.now());
    if (tenant === null) return null;
    const installation = await this.deps.store.installations.get(tenant);
    return installation?.status === "active" ? installation : null;
  }

  /** Ends a browser session (signing out, or after an uninstall). */
  async endSession(session: string | undefined): Promise<void> {
    if (session) await this.deps.store.installations.deleteSession(tokenHash(session));
  }

  /** The CSRF token of a session's forms: derived from the session's value, so it needs no storage. */
  csrfToken(session: string): string {
    return csrfTokenOf(session);
  }

  /** Refuses a form whose CSRF token is not its session's (compared in constant time). */
  checkCsrf(session: string, token: string | undefined): void {
    checkCsrfOf(session, token);
  }

  /** Whether `next` may be followed: only back to Vercel's own site. */
  safeNext(next: string | undefined): string | null {
    if (!next || !URL.canParse(next)) return null;
    const { integration } = this.configured();
    return new URL(next).origin === new URL(integration.vercel.siteUrl).origin ? next : null;
  }

  private async exchange(vercel: VercelApi, integration: IntegrationConfig, code: string) {
    try {
      return await vercel.exchangeCode({
        clientId: integration.clientId,
        clientSecret: integration.clientSecret,
        code,
        redirectUri: integrationUrls(integration.publicUrl).redirectUrl,
      });
    } catch (error) {
      if (!(error instanceof VercelApiError)) throw error;
      throw new OperationError(
        "code_exchange_failed",
        error.status >= 400 && error.status < 500
          ? "Vercel refused the install's code: it was used already or expired. Start the install again."
          : "Vercel could not complete the install right now. Start the install again in a moment.",
      );
    }
  }

  private configured(): { integration: IntegrationConfig; vercel: VercelApi } {
    const { integration, vercel } = this.deps;
    if (!integration || !vercel)
      throw new OperationError("not_found", "Switchyard is not configured as a Vercel integration");
    return { integration, vercel };
  }
}
