import type { Context } from "hono";
import { Hono } from "hono";
import { OperationError } from "../../operations/errors.js";
import type { Operations } from "../../operations/index.js";
import { renderPage } from "../render.js";
import {
  type DestinationFields,
  DestinationFormPage,
  documentOf,
  EMPTY_FIELDS,
  fieldErrors,
  fieldsFrom,
  fieldsOf,
} from "./destination-form.js";
import { DestinationPage } from "./destination-page.js";
import { DestinationsPage } from "./destinations-page.js";
import { type ConsoleGuard, tenantOf, tenantQuery } from "./guard.js";

/** How many of a destination's newest deliveries its page shows. */
const DELIVERIES_SHOWN = 20;

/** What `?done=` says after a change, on the page the change redirected to. */
const NOTICES: Record<string, string> = {
  created: "The destination was created.",
  updated: "The changes were saved.",
  enabled: "The destination is enabled: its deliveries are sent again, its circuit closed.",
  disabled: "The destination is disabled: its deliveries wait, nothing is sent.",
  deleted: "The destination was deleted.",
};

/** The reason kept with a destination disabled here. */
const DISABLED_HERE = "disabled in the console";

/** A page showing a secret: no cache may keep it, and it never reaches a URL. */
function secretPage(c: Context): void {
  c.header("Cache-Control", "no-store");
}

/** The console's destinations section: the list with health, one destination, and its changes. */
export const destinationsSection = {
  paths: ["/destinations", "/destinations/*"],
  routes(deps: { operations: Operations; guard: ConsoleGuard }): Hono {
    const { operations, guard } = deps;
    const { health, destinations } = operations;
    const app = new Hono({ strict: false });

    /** A destination's page, with a notice, a refusal or a secret shown once. */
    const showOne = async (
      c: Context,
      session: string,
      slug: string,
      extra: { notice?: string; error?: OperationError; secret?: string } = {},
      status: 200 | 409 = 200,
    ) => {
      const tenant = tenantOf(c);
      const [destination] = await health.overview(tenant, slug);
      if (!destination) throw new OperationError("not_found", "no destination has that slug");
      const deliveries = await operations.deliveries.listDeliveries(tenant, {
        destination: slug,
        limit: DELIVERIES_SHOWN,
      });
      return renderPage(
        c,
        <DestinationPage
          csrf={guard.csrf(session)}
          tenant={tenant}
          destination={destination}
          deliveries={deliveries}
          {...(extra.notice ? { notice: extra.notice } : {})}
          {...(extra.error ? { error: { message: extra.error.message, code: extra.error.code } } : {})}
          {...(extra.secret ? { secret: extra.secret } : {})}
        />,
        status,
      );
    };

    /** The form again with what was typed and the schema's words on each field. */
    const formAgain = (
      c: Context,
      session: string,
      error: OperationError,
      fields: DestinationFields,
      slug: string | null,
    ) => {
      const q = tenantQuery(tenantOf(c));
      const base = slug === null ? "/destinations" : `/destinations/${encodeURIComponent(slug)}`;
      const issues = error.issues.length > 0 ? error.issues : [error.message];
      return renderPage(
        c,
        <DestinationFormPage
          title={slug === null ? "New destination" : `Edit ${slug}`}
          back={`${slug === null ? "/destinations" : base}${q}`}
          form={{
            action: `${base}${q}`,
            csrf: guard.csrf(session),
            fields,
            creating: slug === null,
            errors: fieldErrors(issues),
            cancel: `${slug === null ? "/destinations" : base}${q}`,
          }}
        />,
        400,
      );
    };

    app.get(
      "/destinations",
      guard.page(async (c, session) => {
        const tenant = tenantOf(c);
        const notice = NOTICES[c.req.query("done") ?? ""];
        return renderPage(
          c,
          <DestinationsPage
            csrf={guard.csrf(session)}
            tenant={tenant}
            destinations={await health.overview(tenant)}
            {...(notice ? { notice } : {})}
          />,
        );
      }),
    );

    app.get(
      "/destinations/new",
      guard.page(async (c, session) => {
        const q = tenantQuery(tenantOf(c));
        return renderPage(
          c,
          <DestinationFormPage
            title="New destination"
            back={`/destinations${q}`}
            form={{
              action: `/destinations${q}`,
              csrf: guard.csrf(session),
              fields: EMPTY_FIELDS,
              creating: true,
              cancel: `/destinations${q}`,
            }}
          />,
        );
      }),
    );

    app.post(
      "/destinations",
      guard.form(async (c, session, form) => {
        const tenant = tenantOf(c);
        const fields = fieldsFrom(form);
        try {
          const created = await destinations.create(tenant, documentOf(fields, null));
          const secret = created.revealedSecrets?.[0];
          if (secret === undefined)
            return c.redirect(
              `/destinations/${encodeURIComponent(created.config.slug)}?done=created${tenantQuery(tenant, "&")}`,
              303,
            );
          // A secret is shown in this answer only: never in a URL a redirect would carry.
          secretPage(c);
          return showOne(c, session, created.config.slug, {
            notice: NOTICES.created as string,
            secret,
          });
        } catch (error) {
          if (
            error instanceof OperationError &&
            (error.code === "invalid_request" || error.code === "conflict")
          )
            return formAgain(
              c,
              session,
              error.code === "conflict"
                ? new OperationError(error.code, error.message, [`slug: ${error.message}`])
                : error,
              fields,
              null,
            );
          throw error;
        }
      }),
    );

    app.get(
      "/destinations/:slug",
      guard.page(async (c, session) => {
        const notice = NOTICES[c.req.query("done") ?? ""];
        return showOne(c, session, c.req.param("slug") ?? "", notice ? { notice } : {});
      }),
    );

    app.get(
      "/destinations/:slug/edit",
      guard.page(async (c, session) => {
        const tenant = tenantOf(c);
        const slug = c.req.param("slug") ?? "";
        destinations.refuseConfigItem(tenant, slug);
        const item = await destinations.get(tenant, slug);
        const q = tenantQuery(tenant);
        const base = `/destinations/${encodeURIComponent(slug)}`;
        return renderPage(
          c,
          <DestinationFormPage
            title={`Edit ${slug}`}
            back={`${base}${q}`}
            form={{
              action: `${base}${q}`,
              csrf: guard.csrf(session),
              fields: fieldsOf(item.config),
              creating: false,
              cancel: `${base}${q}`,
            }}
          />,
        );
      }),
    );

    app.post(
      "/destinations/:slug",
      guard.form(async (c, session, form) => {
        const tenant = tenantOf(c);
        const slug = c.req.param("slug") ?? "";
        destinations.refuseConfigItem(tenant, slug);
        const current = await destinations.get(tenant, slug);
        const fields = { ...fieldsFrom(form), slug };
        try {
          const updated = await destinations.update(tenant, slug, documentOf(fields, current.config));
          const secret = updated.revealedSecrets?.[0];
          if (secret === undefined)
            return c.redirect(
              `/destinations/${encodeURIComponent(slug)}?done=updated${tenantQuery(tenant, "&")}`,
              303,
            );
          secretPage(c);
          return showOne(c, session, slug, { notice: NOTICES.updated as string, secret });
        } catch (error) {
          if (error instanceof OperationError && error.code === "invalid_request")
            return formAgain(c, session, error, fields, slug);
          throw error;
        }
      }),
    );

    for (const action of ["enable", "disable"] as const) {
      app.post(
        `/destinations/:slug/${action}`,
        guard.form(async (c) => {
          const tenant = tenantOf(c);
          const slug = c.req.param("slug") ?? "";
          // The API may pause a config file's destination; the console changes run-time ones only.
          destinations.refuseConfigItem(tenant, slug);
          await health.setEnabled(tenant, slug, action === "enable", DISABLED_HERE);
          return c.redirect(
            `/destinations/${encodeURIComponent(slug)}?done=${action}d${tenantQuery(tenant, "&")}`,
            303,
          );
        }),
      );
    }

    app.post(
      "/destinations/:slug/rotate",
      guard.form(async (c, session) => {
        const tenant = tenantOf(c);
        const slug = c.req.param("slug") ?? "";
        const { secret } = await health.rotateSigningSecret(tenant, slug);
        secretPage(c);
        return showOne(c, session, slug, {
          notice: "The signing secret was replaced: deliveries are signed with the new one from now on.",
          secret,
        });
      }),
    );

    app.post(
      "/destinations/:slug/delete",
      guard.form(async (c, session) => {
        const tenant = tenantOf(c);
        const slug = c.req.param("slug") ?? "";
        try {
          await destinations.delete(tenant, slug);
        } catch (error) {
          if (error instanceof OperationError && error.code === "in_use")
            return showOne(c, session, slug, { error }, 409);
          throw error;
        }
        return c.redirect(`/destinations?done=deleted${tenantQuery(tenant, "&")}`, 303);
      }),
    );

    return app;
  },
};
