import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import type { IntegrationConfig } from "../../config/schema.js";
import { OperationError, type OperationErrorCode } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { randomToken } from "../../operations/install-flow.js";
import { EVENT_GROUPS, newSigningSecret, RelayInputError } from "../../operations/relay-settings.js";
import type { RunChoice, RunItem } from "../../operations/run-settings.js";
import type { Installation } from "../../storage/port.js";
import type { EventStreamAnswer } from "../console/event-filters.js";
import { eventsSection } from "../console/events-routes.js";
import { MessagePage } from "../message-page.js";
import { renderPage } from "../render.js";
import { ActionPage } from "./action-page.js";
import { type ConfigureNotice, ConfigurePage } from "./configure-page.js";
import { IntegrationCookies } from "./cookies.js";
import {
  INTEGRATION_BASE as BASE,
  installationAccess,
  sessionOf as sessionOfRequest,
} from "./installation-access.js";
import { type RunsFormError, runChoicesOf } from "./runs-form.js";
import { type SetupForm, SetupPage } from "./setup-page.js";

const CONFIGURATION_ID = /^icfg_[A-Za-z0-9]{1,64}$/;
const PROJECT_ID = /^prj_[A-Za-z0-9]{1,64}$/;

/** The status and title of each refusal a page can show. */
const REFUSALS: Partial<Record<OperationErrorCode, { status: ContentfulStatusCode; title: string }>> = {
  invalid_request: { status: 400, title: "This link is incomplete" },
  invalid_state: { status: 403, title: "This install could not be verified" },
  code_exchange_failed: { status: 400, title: "The install could not be completed" },
  session_required: { status: 401, title: "Please open this page from Vercel" },
  invalid_csrf: { status: 403, title: "This form has expired" },
  not_found: { status: 404, title: "Not found" },
  vercel_error: { status: 502, title: "Vercel did not answer" },
};

/** The refusals of the actions and checks form shown on the configuration page itself, and their status. */
const RUNS_REFUSALS: Partial<Record<OperationErrorCode, ContentfulStatusCode>> = {
  invalid_request: 400,
  unknown_action: 400,
  unknown_check: 400,
  unknown_project: 400,
  vercel_error: 502,
};

/** A form's fields: each name's values, in order. */
type Form = Record<string, string[]>;

async function readForm(c: Context): Promise<Form> {
  const body = await c.req.parseBody({ all: true });
  const form: Form = {};
  for (const [name, value] of Object.entries(body)) {
    const values = Array.isArray(value) ? value : [value];
    form[name] = values.filter((v): v is string => typeof v === "string");
  }
  return form;
}

const one = (form: Form, name: string): string | undefined => form[name]?.[0];

/** The integration pages' answer to a refusal (a page with its code) or a failure (logged, a page saying so). */
function refusalPage(logger: Logger) {
  return (error: Error, c: Context): Response | Promise<Response> => {
    if (error instanceof OperationError) {
      const refusal = REFUSALS[error.code] ?? { status: 400 as const, title: "Something is wrong" };
      return renderPage(
        c,
        <MessagePage title={refusal.title} message={error.message}>
          <p class="hint">
            Error code: <code>{error.code}</code>
          </p>
        </MessagePage>,
        refusal.status,
      );
    }
    logger.error({ err: error, path: c.req.path }, "integration page failed");
    return renderPage(
      c,
      <MessagePage
        title="Something went wrong"
        message="Switchyard could not show this page. Try again in a moment."
      />,
      500,
    );
  };
}

/** The scope an installation is for, in words. */
function scopeOf(installation: Installation): string {
  return installation.teamId ? `team ${installation.teamId}` : "your personal account";
}

/**
 * The Vercel integration's pages: the external install link, the Redirect URL (with the setup
 * page), the setup form's save, and the Configuration URL with its actions. A browser sees and
 * changes only the installation its session is bound to; the session comes only from completing
 * an install (or re-proving one through the install flow).
 */
export function integrationPages(deps: {
  operations: Operations;
  integration: IntegrationConfig;
  logger: Logger;
  /** Answers with the installation's event stream (its live events list). */
  streamEvents: EventStreamAnswer;
}): Hono {
  const { operations, integration, logger, streamEvents } = deps;
  const flow = operations.installFlow;
  const cookies = new IntegrationCookies(integration.publicUrl);
  const app = new Hono({ strict: false });

  app.onError(refusalPage(logger));
  app.post(`${BASE}/*`, bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("form too large", 413) }));

  /** The installation of this browser's session; refused when there is none. */
  const sessionOf = (c: Context) => sessionOfRequest(flow, cookies, c);

  async function renderSetup(
    c: Context,
    installation: Installation,
    form: SetupForm,
    status: ContentfulStatusCode,
    editing: boolean,
  ): Promise<Response> {
    const projects = await operations.relay.projects(installation);
    return renderPage(
      c,
      <SetupPage form={form} projects={projects} scope={scopeOf(installation)} editing={editing} />,
      status,
    );
  }

  /** The setup form as the installation's settings (or the defaults) fill it. */
  async function setupForm(
    installation: Installation,
    session: string,
    next: string,
    currentProjectId?: string,
  ): Promise<SetupForm> {
    const settings = await operations.relay.get(installation.id);
    // A Deploy Button install names the project it is creating: start with that one chosen.
    const deployed = currentProjectId && PROJECT_ID.test(currentProjectId) ? [currentProjectId] : "all";
    return {
      url: settings?.url ?? "",
      events: settings?.events ?? [],
      projects: settings?.projects ?? deployed,
      ...(settings ? {} : { secret: newSigningSecret() }),
      next,
      csrf: flow.csrfToken(session),
      errors: {},
    };
  }

  app.get(`${BASE}/install`, async (c) => {
    const binding = randomToken();
    const { location } = await flow.begin(binding);
    cookies.setBinding(c, binding);
    const wanted = c.req.query("configurationId");
    cookies.setReturnTo(c, wanted && CONFIGURATION_ID.test(wanted) ? wanted : null);
    return c.redirect(location, 302);
  });

  app.get(`${BASE}/callback`, async (c) => {
    const q = c.req.query();
    const { installation, session } = await flow.complete({
      code: q.code,
      configurationId: q.configurationId,
      state: q.state,
      binding: cookies.binding(c),
    });
    const returnTo = cookies.returnTo(c);
    cookies.clearInstall(c);
    const previous = cookies.session(c);
    if (previous) await flow.endSession(previous);
    cookies.setSession(c, session);
    if (q.state !== undefined && returnTo === installation.id)
      return c.redirect(`${BASE}/configure?configurationId=${encodeURIComponent(installation.id)}`, 303);
    const form = await setupForm(installation, session, q.next ?? "", q.currentProjectId);
    return renderSetup(c, installation, form, 200, false);
  });

  app.get(`${BASE}/setup`, async (c) => {
    const { session, installation } = await sessionOf(c);
    const form = await setupForm(installation, session, "");
    return renderSetup(c, installation, form, 200, true);
  });

  app.post(`${BASE}/setup`, async (c) => {
    const { session, installation } = await sessionOf(c);
    const form = await readForm(c);
    flow.checkCsrf(session, one(form, "csrf"));
    const next = one(form, "next") ?? "";
    const scope: "all" | string[] = one(form, "projectScope") === "selected" ? (form.projects ?? []) : "all";
    const input = {
      url: one(form, "url") ?? "",
      events: form.events ?? [],
      groups: form.groups ?? [],
      projects: scope,
      secret: one(form, "secret"),
    };
    try {
      await operations.relay.save(installation.id, input);
    } catch (error) {
      if (!(error instanceof RelayInputError)) throw error;
      const again: SetupForm = {
        url: input.url,
        events: [...input.events, ...expandGroups(input.groups)],
        projects: scope,
        ...(input.secret !== undefined ? { secret: input.secret } : {}),
        next,
        csrf: flow.csrfToken(session),
        errors: error.fields,
      };
      const editing = (await operations.relay.get(installation.id)) !== null;
      return renderSetup(c, installation, again, 400, editing);
    }
    if (next === "")
      return c.redirect(
        `${BASE}/configure?configurationId=${encodeURIComponent(installation.id)}&saved=1`,
        303,
      );
    return c.redirect(flow.safeNext(next) ?? `${BASE}/closed`, 303);
  });

  app.get(`${BASE}/configure`, async (c) => {
    const wanted = c.req.query("configurationId") ?? "";
    const session = cookies.session(c);
    const installation = await flow.sessionInstallation(session);
    if (!session || !installation || installation.id !== wanted) {
      // Only an install from this browser proves it controls the configuration.
      const query = CONFIGURATION_ID.test(wanted) ? `?configurationId=${encodeURIComponent(wanted)}` : "";
      return c.redirect(`${BASE}/install${query}`, 303);
    }
    const notice: ConfigureNotice | undefined =
      c.req.query("saved") !== undefined
        ? { kind: "saved" }
        : c.req.query("runs") !== undefined
          ? { kind: "runs-saved" }
          : c.req.query("sent") !== undefined
            ? { kind: "test-sent" }
            : undefined;
    return renderConfigure(c, installation, session, notice);
  });

  /**
   * The configuration page; with `submitted`, the actions and checks form as it was refused, with
   * why, and the status to answer.
   */
  async function renderConfigure(
    c: Context,
    installation: Installation,
    session: string,
    notice?: ConfigureNotice,
    submitted?: { items: RunItem[]; error: RunsFormError; status: ContentfulStatusCode },
  ): Promise<Response> {
    const [settings, deliveries, actionRuns] = await Promise.all([
      operations.relay.get(installation.id),
      operations.relay.recentDeliveries(installation.id, 50),
      operations.actions.list({ tenant: installation.id, limit: 20 }),
    ]);
    const declared = operations.runSettings.declared.length > 0;
    const listed =
      declared || (settings && settings.projects !== "all")
        ? await operations.relay.projects(installation)
        : { projects: [], error: null };
    const names = new Map(listed.projects.map((p) => [p.id, p.name]));
    const runs = {
      items: submitted?.items ?? operations.runSettings.of(installation),
      projects: listed,
      ...(submitted ? { error: submitted.error } : {}),
    };
    return renderPage(
      c,
      <ConfigurePage
        installationId={installation.id}
        scope={scopeOf(installation)}
        settings={settings}
        deliveries={deliveries}
        actionRuns={actionRuns.data}
        projectNames={names}
        runs={runs}
        csrf={flow.csrfToken(session)}
        {...(notice ? { notice } : {})}
      />,
      submitted?.status ?? 200,
    );
  }

  /** A configuration page action: the session's own installation, named in the URL, with its CSRF token. */
  async function configureAction(
    c: Context,
  ): Promise<{ session: string; installation: Installation; form: Form }> {
    const { session, installation } = await sessionOf(c);
    const form = await readForm(c);
    flow.checkCsrf(session, one(form, "csrf"));
    if (c.req.query("configurationId") !== installation.id)
      throw new OperationError(
        "session_required",
        "This page belongs to another installation than your session's.",
      );
    return { session, installation, form };
  }

  app.get(`${BASE}/:kind{actions|checks}/:id`, async (c) => {
    const id = c.req.param("id");
    const kind = c.req.param("kind") === "checks" ? "check" : "action";
    const session = cookies.session(c);
    const installation = await flow.sessionInstallation(session);
    if (!installation) return c.redirect(`${BASE}/install`, 303);
    // Scoped to the session's installation: another's run is no run.
    const detail = await operations.actions.get(id, installation.id, kind);
    return renderPage(
      c,
      <ActionPage
        detail={detail}
        configureUrl={`${BASE}/configure?configurationId=${encodeURIComponent(installation.id)}`}
      />,
    );
  });

  app.post(`${BASE}/configure/test`, async (c) => {
    const { installation } = await configureAction(c);
    await operations.relay.sendTestEvent(installation);
    return c.redirect(`${BASE}/configure?configurationId=${encodeURIComponent(installation.id)}&sent=1`, 303);
  });

  app.post(`${BASE}/configure/rotate`, async (c) => {
    const { session, installation } = await configureAction(c);
    const secret = await operations.relay.rotateSecret(installation.id);
    return renderConfigure(c, installation, session, { kind: "rotated", secret });
  });

  app.post(`${BASE}/configure/runs`, async (c) => {
    const { session, installation, form } = await configureAction(c);
    let choices: RunChoice[] = [];
    try {
      choices = runChoicesOf(form);
      await operations.runSettings.save(installation.id, choices);
    } catch (error) {
      const status = error instanceof OperationError ? RUNS_REFUSALS[error.code] : undefined;
      if (!(error instanceof OperationError) || status === undefined) throw error;
      // The form comes back as it was sent (as it stands, when it could not be read), with why.
      const items =
        choices.length === 0
          ? operations.runSettings.of(installation)
          : operations.runSettings.declared.map((d) => ({
              ...d,
              runs: choices.find((ch) => ch.kind === d.kind && ch.name === d.name)?.runs ?? "all",
            }));
      const refused = { message: error.message, code: error.code };
      return renderConfigure(c, installation, session, undefined, { items, error: refused, status });
    }
    return c.redirect(`${BASE}/configure?configurationId=${encodeURIComponent(installation.id)}&runs=1`, 303);
  });

  app.post(`${BASE}/configure/uninstall`, async (c) => {
    const { session, installation, form } = await configureAction(c);
    if (one(form, "confirm") !== "yes")
      throw new OperationError("invalid_request", "Tick the box to confirm the uninstall.");
    await operations.installations.remove(installation.id);
    await flow.endSession(session);
    cookies.clearSession(c);
    return renderPage(
      c,
      <MessagePage
        title="Uninstalled"
        message="The integration was removed from your Vercel account, and everything Switchyard kept for it was deleted."
      />,
    );
  });

  // The console's events pages (list, live list, an event with its deliveries, replay), for the
  // session's installation alone.
  const events = eventsSection.routes({
    operations,
    access: installationAccess(flow, cookies),
    streamEvents,
  });
  events.onError(refusalPage(logger));
  app.route(BASE, events);

  return app;
}

/** The types of whole groups, so a refused form shows them still chosen. */
function expandGroups(groups: readonly string[]): string[] {
  return groups.flatMap(
    (category) => EVENT_GROUPS.find((g) => g.category === category)?.types.map((t) => t.type) ?? [],
  );
}
