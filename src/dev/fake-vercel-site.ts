/**
 * The fake vercel.com: the install page (at once, for tests, or after a confirmation page, for a
 * person), the page the integration's setup ends on, and a dashboard that lists installations,
 * links each to its Configuration URL and sends test events to the Webhook URL.
 */
import { sampleEventTypes } from "../vercel/samples.js";
import { type Answer, html, redirect } from "./fake-vercel-answers.js";
import { confirmPage, indexPage, installedPage, type ScopeChoice } from "./fake-vercel-pages.js";
import type {
  FakeTeam,
  Grant,
  InstallationView,
  RecordedRequest,
  SendTarget,
  SentEvent,
} from "./fake-vercel-types.js";

/** What the site needs of the fake. */
export interface FakeSite {
  readonly slug: string;
  readonly siteUrl: string;
  readonly redirectUri: string;
  readonly userId: string;
  readonly teams: readonly FakeTeam[];
  /** Whether the install page asks first (a person) or installs at once (a test). */
  readonly confirm: boolean;
  readonly installTeamId: string | null;
  readonly webhookUrl: string | null;
  readonly installations: readonly InstallationView[];
  readonly sent: readonly SentEvent[];
  makeCode(teamId: string | null): Grant;
  configurationUrlOf(configurationId: string): string;
  sendEvent(webhookUrl: string, type: string, target: SendTarget): Promise<number>;
}

const PERSONAL = "personal";

/** The site's answer to one request. */
export async function siteAnswer(site: FakeSite, r: RecordedRequest): Promise<Answer> {
  const install = `/integrations/${site.slug}/new`;
  if (r.path === install && r.method === "GET") {
    if (!site.confirm) return installed(site, site.installTeamId, r.query.state);
    return html(
      200,
      confirmPage({ slug: site.slug, action: install, state: r.query.state, scopes: scopes(site) }),
    );
  }
  if (r.path === install && r.method === "POST") {
    const form = new URLSearchParams(r.body);
    const scope = form.get("scope") ?? "";
    if (scope !== PERSONAL && !site.teams.some((t) => t.id === scope)) {
      return html(400, "<p>Choose the personal account or one of your teams.</p>");
    }
    return installed(site, scope === PERSONAL ? null : scope, form.get("state") ?? undefined);
  }
  if (r.path === `/integrations/${site.slug}/installed` && r.method === "GET") {
    return html(200, installedPage(site.slug));
  }
  if (r.path === "/" && r.method === "GET") return html(200, dashboard(site));
  if (r.path === "/events" && r.method === "POST") return sendFromForm(site, r);
  return html(404, "<p>Not found.</p>");
}

/** Installs into a scope and sends the browser to the Redirect URL, as Vercel does. */
function installed(site: FakeSite, teamId: string | null, state: string | undefined): Answer {
  const grant = site.makeCode(teamId);
  const target = new URL(site.redirectUri);
  target.searchParams.set("code", grant.code);
  target.searchParams.set("configurationId", grant.configurationId);
  if (grant.teamId !== null) target.searchParams.set("teamId", grant.teamId);
  target.searchParams.set("next", `${site.siteUrl}/integrations/${site.slug}/installed`);
  if (state !== undefined) target.searchParams.set("state", state);
  return redirect(target.toString());
}

function scopes(site: FakeSite): ScopeChoice[] {
  return [
    { value: PERSONAL, label: `Personal account (${site.userId})` },
    ...site.teams.map((t) => ({ value: t.id, label: `${t.name} (${t.id})` })),
  ];
}

function scopeLabel(site: FakeSite, teamId: string | null): string {
  if (teamId === null) return `Personal account (${site.userId})`;
  const team = site.teams.find((t) => t.id === teamId);
  return team === undefined ? teamId : `${team.name} (${teamId})`;
}

function dashboard(site: FakeSite): string {
  return indexPage({
    slug: site.slug,
    installUrl: `/integrations/${site.slug}/new`,
    installations: site.installations.map((i) => ({
      configurationId: i.configurationId,
      scope: scopeLabel(site, i.teamId),
      active: !i.removed,
      configureUrl: site.configurationUrlOf(i.configurationId),
    })),
    types: sampleEventTypes(),
    webhookUrl: site.webhookUrl,
    // The latest first, and only as many as a glance takes in.
    sent: site.sent.slice(-20).reverse(),
  });
}

/** The dashboard's "send a test event" form: sends, then shows the dashboard with the answer. */
async function sendFromForm(site: FakeSite, r: RecordedRequest): Promise<Answer> {
  if (site.webhookUrl === null) return html(404, "<p>No Webhook URL is set.</p>");
  const form = new URLSearchParams(r.body);
  const type = form.get("type") ?? "";
  const configurationId = form.get("configurationId") ?? "";
  if (!sampleEventTypes().some((t) => t === type)) return html(400, "<p>Unknown event type.</p>");
  if (!site.installations.some((i) => i.configurationId === configurationId && !i.removed)) {
    return html(400, "<p>No such installation.</p>");
  }
  try {
    await site.sendEvent(site.webhookUrl, type, { configurationId });
  } catch {
    // The failure is in the list of events sent, which the dashboard shows.
  }
  return redirect("/", 303);
}
