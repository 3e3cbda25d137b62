import { Hono } from "hono";
import type { DestinationConfig } from "../../config/routing-schema.js";
import type { DestinationState } from "../../core/delivery-types.js";
import { formatDuration } from "../../core/duration.js";
import { redactUrl } from "../../core/redact-url.js";
import { DEFAULT_TENANT } from "../../core/types.js";
import { destinationCircuit } from "../../delivery/destination-circuit.js";
import type { ApiDeps, ApiEnv } from "../api-env.js";
import { HttpError } from "../errors.js";
import { jsonResponse } from "../json-response.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

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

/** `GET /api/v1/destinations`, `POST /api/v1/destinations/:slug/enable|disable`, mounted at `/api/v1`. */
export function destinationRoutes({
  store,
  planner,
  worker,
  clock,
}: Pick<ApiDeps, "store" | "planner" | "worker" | "clock">): Hono<ApiEnv> {
  const render = async (slug?: string) => {
    const [states, stats] = await Promise.all([
      store.forTenant(DEFAULT_TENANT).listDestinationStates(),
      store.queueStats(),
    ]);
    const now = clock.now();
    const list = [...planner.destinations.values()]
      .filter((d) => slug === undefined || d.slug === slug)
      .map((d) =>
        destinationJson(
          d,
          states.find((s) => s.destination === d.slug),
          stats.pendingByDestination[d.slug] ?? 0,
          now,
        ),
      );
    return list;
  };

  const app = new Hono<ApiEnv>();
  app.get("/destinations", async () => jsonResponse(200, { data: await render() }));

  for (const action of ["enable", "disable"] as const) {
    app.post(`/destinations/:slug/${action}`, async (c) => {
      const slug = c.req.param("slug");
      if (!planner.destinations.has(slug)) throw new HttpError("not_found", "no destination has that slug");
      const current = worker.stateOf(slug);
      if (!current) throw new HttpError("not_found", "no destination has that slug");
      const next: DestinationState =
        action === "enable"
          ? {
              ...current,
              state: "active",
              disabledReason: null,
              consecutiveFailures: 0,
              circuitOpenUntil: null,
              circuitCooldownMs: 0,
            }
          : { ...current, state: "disabled", disabledReason: "disabled through the API" };
      await store.forTenant(DEFAULT_TENANT).saveDestinationState(next);
      await worker.reloadStates();
      return jsonResponse(200, (await render(slug))[0]);
    });
  }
  return app;
}
