import { Hono } from "hono";
import type { DestinationConfig } from "../../config/routing-schema.js";
import type { DestinationState } from "../../core/delivery-types.js";
import { formatDuration } from "../../core/duration.js";
import { redactUrl } from "../../core/redact-url.js";
import { destinationCircuit } from "../../delivery/destination-circuit.js";
import type { DestinationStatus } from "../../operations/destinations.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { readJsonValue } from "../json-body.js";
import { jsonResponse } from "../json-response.js";
import { iso, itemTimes, withSecrets } from "./item-json.js";

/** A destination as the API shows it: settings with secrets (in its URL too) redacted, and health. */
function destinationJson(
  d: DestinationConfig,
  s: DestinationState | undefined,
  pending: number,
  now: number,
) {
  const circuit = destinationCircuit(s, now);
  return {
    slug: d.slug,
    url: redactUrl(d.url),
    headers: Object.fromEntries(Object.keys(d.headers).map((k) => [k, "[redacted]"])),
    timeout: formatDuration(d.timeout),
    retry: {
      schedule: d.retry.schedule.map(formatDuration),
      maxAge: formatDuration(d.retry.maxAge),
      jitter: d.retry.jitter,
    },
    signing: { scheme: d.signing.scheme, secrets: d.signing.secrets.length },
    maxConcurrency: d.maxConcurrency,
    rateLimit: d.rateLimit
      ? `${d.rateLimit.count}/${formatDuration(d.rateLimit.perMs).replace(/^1/, "")}`
      : null,
    ordering: d.ordering,
    allowPrivateNetwork: d.allowPrivateNetwork ?? null,
    state: s?.state ?? "active",
    disabledReason: s?.disabledReason ?? null,
    circuit,
    consecutiveFailures: s?.consecutiveFailures ?? 0,
    circuitOpenUntil: iso(s?.circuitOpenUntil ?? null),
    lastSuccessAt: iso(s?.lastSuccessAt ?? null),
    lastFailureAt: iso(s?.lastFailureAt ?? null),
    pending,
  };
}

/** A destination with its owner, where it is defined, and its health. */
function statusJson({ item, state, pending }: DestinationStatus, now: number) {
  return {
    ...destinationJson(item.config, state, pending, now),
    tenant: item.tenant,
    managedBy: item.managedBy,
    ...itemTimes(item),
  };
}

/**
 * `GET/POST /api/v1/destinations`, `GET/PATCH/DELETE /api/v1/destinations/:slug`,
 * `POST /api/v1/destinations/:slug/enable|disable`, mounted at `/api/v1`; all for `?tenant=`.
 */
export function destinationRoutes({
  operations,
  clock,
}: Pick<ApiDeps, "operations" | "clock">): Hono<ApiEnv> {
  const { health, destinations } = operations;
  const one = async (tenant: string, slug: string) => {
    const [status] = await health.list(tenant, slug);
    return statusJson(status as DestinationStatus, clock.now());
  };
  const app = new Hono<ApiEnv>();
  app.get("/destinations", async (c) => {
    const now = clock.now();
    return jsonResponse(200, { data: (await health.list(c.var.tenant)).map((s) => statusJson(s, now)) });
  });
  app.post("/destinations", async (c) => {
    const created = await destinations.create(c.var.tenant, await readJsonValue(c.req.raw));
    return jsonResponse(
      201,
      withSecrets(await one(c.var.tenant, created.config.slug), created.revealedSecrets),
    );
  });
  app.get("/destinations/:slug", async (c) =>
    jsonResponse(200, await one(c.var.tenant, c.req.param("slug"))),
  );
  app.patch("/destinations/:slug", async (c) => {
    const slug = c.req.param("slug");
    const updated = await destinations.update(c.var.tenant, slug, await readJsonValue(c.req.raw));
    return jsonResponse(200, withSecrets(await one(c.var.tenant, slug), updated.revealedSecrets));
  });
  app.delete("/destinations/:slug", async (c) => {
    await destinations.delete(c.var.tenant, c.req.param("slug"));
    return new Response(null, { status: 204 });
  });
  for (const action of ["enable", "disable"] as const) {
    app.post(`/destinations/:slug/${action}`, async (c) => {
      const status = await health.setEnabled(c.var.tenant, c.req.param("slug"), action === "enable");
      return jsonResponse(200, statusJson(status, clock.now()));
    });
  }
  return app;
}
