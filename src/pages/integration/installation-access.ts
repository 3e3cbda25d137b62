import type { Context } from "hono";
import { OperationError } from "../../operations/errors.js";
import type { InstallFlow } from "../../operations/install-flow.js";
import type { Installation } from "../../storage/port.js";
import type { PageAccess, PageForm, PageScope, PageView } from "../console/page-scope.js";
import type { IntegrationCookies } from "./cookies.js";

/** Where the integration's pages are. */
export const INTEGRATION_BASE = "/integrations/vercel";

/** The configuration page of an installation. */
export function configureUrl(installationId: string): string {
  return `${INTEGRATION_BASE}/configure?configurationId=${encodeURIComponent(installationId)}`;
}

/** The console's pages as an installation's user sees them: its tenant only, its own navigation. */
export function installationScope(installationId: string): PageScope {
  const home = configureUrl(installationId);
  return {
    base: INTEGRATION_BASE,
    tenantFixed: true,
    home,
    nav: [
      { section: "/configure", href: home, label: "Configuration" },
      { section: "/events", href: `${INTEGRATION_BASE}/events`, label: "Events" },
    ],
    signOut: false,
  };
}

/** The installation of this browser's session; refused (`session_required`) when there is none. */
export async function sessionOf(
  flow: InstallFlow,
  cookies: IntegrationCookies,
  c: Context,
): Promise<{ session: string; installation: Installation }> {
  const session = cookies.session(c);
  const installation = await flow.sessionInstallation(session);
  if (!session || !installation)
    throw new OperationError(
      "session_required",
      "Your session has ended. Open the integration's configuration from your Vercel dashboard to continue.",
    );
  return { session, installation };
}

/**
 * The access of the console's shared sections (events, their deliveries, replay) from an
 * installation's session: the tenant is the session's installation, whatever the URL says. A
 * `?tenant=` naming another is refused rather than quietly ignored, so a link to another
 * installation's data never looks like it worked.
 */
export function installationAccess(flow: InstallFlow, cookies: IntegrationCookies): PageAccess {
  async function viewOf(c: Context): Promise<{ session: string; view: PageView }> {
    const { session, installation } = await sessionOf(flow, cookies, c);
    const named = c.req.query("tenant");
    if (named !== undefined && named !== installation.id)
      throw new OperationError(
        "session_required",
        "This page belongs to another installation than your session's.",
      );
    return {
      session,
      view: {
        csrf: flow.csrfToken(session),
        tenant: installation.id,
        scope: installationScope(installation.id),
      },
    };
  }

  return {
    page: (handler) => async (c) => {
      const { view } = await viewOf(c);
      return handler(c, view);
    },
    form: (handler) => async (c) => {
      const { session, view } = await viewOf(c);
      const form = (await c.req.parseBody({ all: true })) as PageForm;
      flow.checkCsrf(session, typeof form.csrf === "string" ? form.csrf : undefined);
      return handler(c, view, form);
    },
  };
}
