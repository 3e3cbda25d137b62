import { z } from "zod";
import { type DestinationConfig, destinationSchema } from "../../config/routing-schema.js";
import type { DestinationState } from "../../core/delivery-types.js";
import { formatDuration } from "../../core/duration.js";
import { redactUrl } from "../../core/redact-url.js";
import { destinationCircuit } from "../../delivery/destination-circuit.js";
import type { DestinationStatus } from "../../operations/destinations.js";
import type { ApiDeps } from "../api-env.js";
import type { ApiRoutes } from "../api-spec.js";
import { jsonResponse } from "../json-response.js";
import { iso as isoText, itemFields, itemOperations, itemTimes, withSecrets } from "./item-json.js";

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
    circuitOpenUntil: isoText(s?.circuitOpenUntil ?? null),
    lastSuccessAt: isoText(s?.lastSuccessAt ?? null),
    lastFailureAt: isoText(s?.lastFailureAt ?? null),
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

const iso = z.string().nullable().meta({ format: "date-time" });

/** What `statusJson` writes (and, on the answer that set them, the signing secrets in clear). */
const destinationAnswer = z.strictObject({
  slug: z.string(),
  url: z.string().meta({ description: "With any credential or secret-looking part redacted." }),
  headers: z
    .record(z.string(), z.literal("[redacted]"))
    .meta({ description: "The names of the headers sent; values redacted." }),
  timeout: z.string(),
  retry: z.strictObject({ schedule: z.array(z.string()), maxAge: z.string(), jitter: z.number() }),
  signing: z.strictObject({
    scheme: z.enum(["standard-webhooks", "vercel", "none"]),
    secrets: z.number().int(),
  }),
  maxConcurrency: z.number().int(),
  rateLimit: z.string().nullable().meta({ description: "`<count>/<period>`, e.g. `10/s`." }),
  ordering: z.enum(["none", "fifo"]),
  allowPrivateNetwork: z.boolean().nullable(),
  state: z.enum(["active", "disabled"]),
  disabledReason: z.string().nullable(),
  circuit: z.enum(["closed", "open", "half_open"]),
  consecutiveFailures: z.number().int(),
  circuitOpenUntil: iso,
  lastSuccessAt: iso,
  lastFailureAt: iso,
  pending: z.number().int().meta({ description: "Deliveries waiting for it." }),
  ...itemFields,
  secrets: z
    .array(z.string())
    .optional()
    .meta({ description: "The signing secrets, on the answer that set them, this once." }),
});

const EXAMPLE = {
  slug: "ops-hook",
  url: "https://hooks.example.com/[redacted]",
  headers: { authorization: "[redacted]" },
  timeout: "10s",
  retry: { schedule: ["10s", "1m", "10m", "1h"], maxAge: "1d", jitter: 0.2 },
  signing: { scheme: "standard-webhooks", secrets: 1 },
  maxConcurrency: 10,
  rateLimit: null,
  ordering: "none",
  allowPrivateNetwork: null,
  state: "active",
  disabledReason: null,
  circuit: "closed",
  consecutiveFailures: 0,
  circuitOpenUntil: null,
  lastSuccessAt: "2026-01-31T12:00:00.250Z",
  lastFailureAt: null,
  pending: 0,
  tenant: "default",
  managedBy: "api",
  createdAt: "2026-01-31T12:00:00.000Z",
  updatedAt: "2026-01-31T12:00:00.000Z",
};

/**
 * `GET/POST /api/v1/destinations`, `GET/PATCH/DELETE /api/v1/destinations/:slug`,
 * `POST /api/v1/destinations/:slug/enable|disable`, mounted at `/api/v1`; all for `?tenant=`.
 */
export function destinationRoutes(
  api: ApiRoutes,
  { operations, clock }: Pick<ApiDeps, "operations" | "clock">,
): void {
  const { health, destinations } = operations;
  const one = async (tenant: string, slug: string) => {
    const [status] = await health.list(tenant, slug);
    return statusJson(status as DestinationStatus, clock.now());
  };
  const ops = itemOperations({
    path: "destinations",
    noun: "destination",
    tag: "Destinations",
    document: destinationSchema,
    answer: destinationAnswer,
    example: EXAMPLE,
    createExample: {
      slug: "ops-hook",
      url: "https://hooks.example.com/T000/B000/XXXX",
      signing: { scheme: "standard-webhooks" },
      retry: { schedule: ["10s", "1m", "10m", "1h"] },
    },
    patchExample: { maxConcurrency: 4, rateLimit: "10/s" },
    deleteErrors: ["in_use"],
  });
  api.add(ops.list, async (c) => {
    const now = clock.now();
    return jsonResponse(200, { data: (await health.list(c.var.tenant)).map((s) => statusJson(s, now)) });
  });
  api.add(ops.create, async (c, { body }) => {
    const created = await destinations.create(c.var.tenant, body);
    return jsonResponse(
      201,
      withSecrets(await one(c.var.tenant, created.config.slug), created.revealedSecrets),
    );
  });
  api.add(ops.get, async (c, { params }) => jsonResponse(200, await one(c.var.tenant, params.slug)));
  api.add(ops.update, async (c, { params, body }) => {
    const updated = await destinations.update(c.var.tenant, params.slug, body);
    return jsonResponse(200, withSecrets(await one(c.var.tenant, params.slug), updated.revealedSecrets));
  });
  api.add(ops.delete, async (c, { params }) => {
    await destinations.delete(c.var.tenant, params.slug);
    return new Response(null, { status: 204 });
  });
  for (const action of ["enable", "disable"] as const) {
    api.add(
      {
        method: "post",
        path: `/destinations/:slug/${action}`,
        tag: "Destinations",
        summary:
          action === "enable"
            ? "Enable a destination: its deliveries go out again"
            : "Disable a destination: its deliveries wait, none is sent",
        params: ops.get.params,
        responses: {
          200: {
            description: "The destination and its health.",
            schema: destinationAnswer,
            example: {
              ...EXAMPLE,
              state: action === "enable" ? "active" : "disabled",
              disabledReason: action === "enable" ? null : "manual",
            },
          },
        },
        errors: ["not_found"],
      },
      async (c, { params }) => {
        const status = await health.setEnabled(c.var.tenant, params.slug, action === "enable");
        return jsonResponse(200, statusJson(status, clock.now()));
      },
    );
  }
}
