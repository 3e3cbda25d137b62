import type { Context } from "hono";
import { Hono } from "hono";
import { INTERNAL_SOURCE } from "../../core/types.js";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { TEMPLATE_NAMES } from "../../transform/templates/index.js";
import { sampleEventTypes } from "../../vercel/index.js";
import { renderPage } from "../render.js";
import { type ConsoleForm, type ConsoleGuard, tenantOf, tenantQuery } from "./guard.js";
import { RouteEditPage, type RouteEditView } from "./route-edit-page.js";
import {
  applyEdit,
  emptyForm,
  formOf,
  issueField,
  type RouteFormState,
  readForm,
  routeDocument,
} from "./route-form.js";
import type { RouteTestAsk } from "./route-test-result.js";
import { RouteViewPage } from "./route-view-page.js";
import { RoutesPage } from "./routes-page.js";

/** An event id: `evt_` and a ULID. */
const EVENT_ID = /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

type Deps = { operations: Operations; guard: ConsoleGuard };
type TestAnswer = NonNullable<RouteEditView["test"]>;

/** The console's routes section: the list, the editor with its filter builder, and the route tester. */
export const routesSection = {
  paths: ["/routes", "/routes/*"],
  routes(deps: Deps): Hono {
    const { operations, guard } = deps;
    const app = new Hono({ strict: false });

    app.get(
      "/routes",
      guard.page(async (c, session) => {
        const tenant = tenantOf(c);
        const items = await operations.routes.list(tenant);
        const saved = c.req.query("saved");
        const deleted = c.req.query("deleted");
        const notice = saved ? `Route ${saved} saved.` : deleted ? `Route ${deleted} deleted.` : undefined;
        return renderPage(
          c,
          <RoutesPage
            csrf={guard.csrf(session)}
            tenant={tenant}
            routes={items.map((i) => ({ config: i.config, fromConfig: i.managedBy === "config" }))}
            {...(notice ? { notice } : {})}
          />,
        );
      }),
    );

    app.get(
      "/routes/new",
      guard.page(async (c, session) => editor(c, deps, session, { slug: null, state: emptyForm() })),
    );

    app.post(
      "/routes/new",
      guard.form(async (c, session, form) => submit(c, deps, session, form, null)),
    );

    app.get(
      "/routes/:slug",
      guard.page(async (c, session) => {
        const tenant = tenantOf(c);
        const item = await operations.routes.get(tenant, c.req.param("slug") ?? "");
        if (item.managedBy === "config") {
          return renderPage(
            c,
            <RouteViewPage
              csrf={guard.csrf(session)}
              tenant={tenant}
              route={item.config}
              sampleTypes={sampleEventTypes()}
              ask={{ sampleType: "", eventId: "" }}
            />,
          );
        }
        return editor(c, deps, session, { slug: item.config.slug, state: formOf(item.config) });
      }),
    );

    app.post(
      "/routes/:slug",
      guard.form(async (c, session, form) => {
        const item = await operations.routes.get(tenantOf(c), c.req.param("slug") ?? "");
        if (item.managedBy === "config") throw managedByConfig(item.config.slug);
        return submit(c, deps, session, form, item.config.slug);
      }),
    );

    // The tester of a config file's route: the route as it is in force, by its slug.
    app.post(
      "/routes/:slug/test",
      guard.form(async (c, session, form) => {
        const tenant = tenantOf(c);
        const item = await operations.routes.get(tenant, c.req.param("slug") ?? "");
        const ask = askOf(form);
        const test = await runTest(operations, tenant, item.config.slug, ask);
        return renderPage(
          c,
          <RouteViewPage
            csrf={guard.csrf(session)}
            tenant={tenant}
            route={item.config}
            sampleTypes={sampleEventTypes()}
            ask={ask}
            test={test}
          />,
        );
      }),
    );

    app.post(
      "/routes/:slug/delete",
      guard.form(async (c) => {
        const tenant = tenantOf(c);
        const slug = c.req.param("slug") ?? "";
        await operations.routes.delete(tenant, slug);
        return c.redirect(`/routes?deleted=${encodeURIComponent(slug)}${tenantQuery(tenant, "&")}`, 303);
      }),
    );

    return app;
  },
};

function managedByConfig(slug: string): OperationError {
  return new OperationError(
    "managed_by_config",
    `the route "${slug}" is defined in the config file; change it there`,
  );
}

/** A posted editor: save, test, or change the filter's shape and show the form again. */
async function submit(
  c: Context,
  deps: Deps,
  session: string,
  form: ConsoleForm,
  slug: string | null,
): Promise<Response> {
  const { operations } = deps;
  const tenant = tenantOf(c);
  const state = readForm(form);
  if (slug !== null) state.slug = slug;
  const op = typeof form.op === "string" ? form.op : "save";
  const ask = askOf(form);
  if (op === "test") {
    const test = await runTest(operations, tenant, routeDocument(state), ask);
    return editor(c, deps, session, { slug, state, ask, test });
  }
  if (op !== "save") return editor(c, deps, session, { slug, state: applyEdit(state, op), ask });
  try {
    const doc = routeDocument(state);
    if (slug === null) await operations.routes.create(tenant, doc);
    else await operations.routes.update(tenant, slug, changeOf(doc));
  } catch (error) {
    if (!(error instanceof OperationError) || !["invalid_request", "conflict"].includes(error.code))
      throw error;
    return editor(c, deps, session, { slug, state, ask, issues: issuesOf(error) }, 400);
  }
  // Post, then redirect: reloading the list saves nothing again.
  return c.redirect(`/routes?saved=${encodeURIComponent(state.slug)}${tenantQuery(tenant, "&")}`, 303);
}

/**
 * The merge patch that makes a stored route the document: what the form leaves out is removed
 * (null), and a transform's keys are each set or removed, so code replaces a template and back.
 */
function changeOf(doc: Record<string, unknown>): Record<string, unknown> {
  const transform = doc.transform as Record<string, unknown> | undefined;
  return {
    source: doc.source,
    types: doc.types ?? null,
    filter: doc.filter ?? null,
    transform: transform ? { template: null, options: null, code: null, file: null, ...transform } : null,
    destinations: doc.destinations,
  };
}

/** An operation's refusal as the form shows it: each issue beside its field. */
function issuesOf(error: OperationError): Map<string, string[]> {
  const issues = new Map<string, string[]>();
  const add = (field: string, text: string) => issues.set(field, [...(issues.get(field) ?? []), text]);
  if (error.code === "conflict") add("slug", error.message);
  else if (error.issues.length === 0) add("", error.message);
  else for (const issue of error.issues) add(issueField(issue), issue);
  return issues;
}

function askOf(form: ConsoleForm): RouteTestAsk {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  return { sampleType: text(form.sampleType), eventId: text(form.eventId) };
}

/** Runs the route tester against the sample or the stored event asked for; a refusal is shown, not thrown. */
async function runTest(
  operations: Operations,
  tenant: string,
  route: string | Record<string, unknown>,
  ask: RouteTestAsk,
): Promise<TestAnswer> {
  try {
    if (ask.eventId) {
      if (!EVENT_ID.test(ask.eventId)) throw new OperationError("not_found", "no event has that id");
      const stored = await operations.deliveries.getEvent(tenant, ask.eventId);
      const event = JSON.parse(Buffer.from(stored.body).toString("utf8")) as Record<string, unknown>;
      const result = await operations.routeTests.run(tenant, { route, event, source: stored.source });
      return { result, against: `event ${stored.id} (${stored.type}, from ${stored.source})` };
    }
    if (!ask.sampleType) return { error: "choose a sample type or give a stored event's id." };
    const result = await operations.routeTests.run(tenant, { route, sampleType: ask.sampleType });
    return { result, against: `a sample ${ask.sampleType} event` };
  } catch (error) {
    if (error instanceof OperationError) return { error: `${error.message} (${error.code})` };
    if (error instanceof SyntaxError) return { error: "the stored event is not JSON." };
    throw error;
  }
}

/** Renders the editor with the tenant's choices. */
async function editor(
  c: Context,
  deps: Deps,
  session: string,
  view: {
    slug: string | null;
    state: RouteFormState;
    ask?: RouteTestAsk;
    test?: TestAnswer;
    issues?: Map<string, string[]>;
  },
  status: 200 | 400 = 200,
): Promise<Response> {
  const tenant = tenantOf(c);
  const [sources, destinations] = await Promise.all([
    deps.operations.sources.list(tenant),
    deps.operations.destinations.list(tenant),
  ]);
  return renderPage(
    c,
    <RouteEditPage
      csrf={deps.guard.csrf(session)}
      tenant={tenant}
      slug={view.slug}
      state={view.state}
      sources={[...sources.map((s) => s.config.slug), INTERNAL_SOURCE]}
      destinations={destinations.map((d) => d.config.slug)}
      templates={TEMPLATE_NAMES}
      sampleTypes={sampleEventTypes()}
      issues={view.issues ?? new Map()}
      ask={view.ask ?? { sampleType: "", eventId: "" }}
      {...(view.test ? { test: view.test } : {})}
    />,
    status,
  );
}
