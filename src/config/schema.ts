import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { SecretBox } from "../core/secret-box.js";
import { INTEGRATION_SOURCE, INTERNAL_SOURCE } from "../core/types.js";
import { transformsSection } from "../transform/schema.js";
import { actionSchema } from "./actions-schema.js";
import { checkSchema } from "./checks-schema.js";
import { secretList, slug } from "./primitives.js";
import { deliverySection, destinationSchema, routeSchema } from "./routing-schema.js";

const commonSource = {
  slug,
  secrets: secretList,
  insecure: z.boolean().default(false),
};

const vercelSource = z.strictObject({ ...commonSource, kind: z.literal("vercel") });

const hmacSource = z.strictObject({
  ...commonSource,
  kind: z.literal("hmac"),
  header: z
    .string()
    .min(1)
    .transform((h) => h.toLowerCase()),
  algorithm: z.enum(["sha1", "sha256", "sha512"]).default("sha256"),
  encoding: z.enum(["hex", "base64"]).default("hex"),
  prefix: z.string().default(""),
});

const standardWebhooksSource = z.strictObject({
  ...commonSource,
  kind: z.literal("standard-webhooks"),
  tolerance: durationSchema.default(300_000),
});

/** A place events come from: its kind says how requests are verified. */
export const sourceSchema = z
  .discriminatedUnion("kind", [vercelSource, hmacSource, standardWebhooksSource])
  .superRefine((s, ctx) => {
    if (s.secrets.length === 0 && !s.insecure) {
      ctx.addIssue({
        code: "custom",
        path: ["secrets"],
        message: "a source needs at least one secret (or `insecure: true` to accept unsigned requests)",
      });
    }
    if (s.kind === "standard-webhooks") {
      s.secrets.forEach((secret, i) => {
        if (!/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) {
          ctx.addIssue({ code: "custom", path: ["secrets", i], message: "expected a whsec_<base64> secret" });
        }
      });
    }
  });

/** A timeout of the HTTP server: a duration from 100ms to 1h (none can be turned off). */
const serverTimeout = durationSchema.pipe(
  z.number().min(100, "expected at least 100ms").max(3_600_000, "expected at most 1h"),
);

const DEFAULT_SERVER = {
  port: 8787,
  // This machine only until told otherwise: a fresh install serves no one else by accident.
  host: "127.0.0.1",
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 65_000,
  maxConnections: 1024,
};

const serverSection = z
  .strictObject({
    port: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_SERVER.port),
    host: z.string().min(1).default(DEFAULT_SERVER.host),
    headersTimeout: serverTimeout.default(DEFAULT_SERVER.headersTimeout),
    requestTimeout: serverTimeout.default(DEFAULT_SERVER.requestTimeout),
    keepAliveTimeout: serverTimeout.default(DEFAULT_SERVER.keepAliveTimeout),
    maxConnections: z.number().int().min(1).max(1_000_000).default(DEFAULT_SERVER.maxConnections),
  })
  .superRefine((s, ctx) => {
    // Node refuses a server whose headers may take longer than the whole request.
    if (s.headersTimeout > s.requestTimeout) {
      ctx.addIssue({
        code: "custom",
        path: ["headersTimeout"],
        message: "headersTimeout cannot be longer than requestTimeout",
      });
    }
  })
  .default(DEFAULT_SERVER);

const MIB = 1024 * 1024;
const DEFAULT_LIMITS = {
  maxBodyBytes: MIB,
  maxUnverifiedBytes: 64 * MIB,
  maxUnverifiedBytesPerClient: 16 * MIB,
};

const limitsSection = z
  .strictObject({
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * MIB)
      .default(DEFAULT_LIMITS.maxBodyBytes),
    maxUnverifiedBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * MIB)
      .default(DEFAULT_LIMITS.maxUnverifiedBytes),
    maxUnverifiedBytesPerClient: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * MIB)
      .default(DEFAULT_LIMITS.maxUnverifiedBytesPerClient),
  })
  .superRefine((l, ctx) => {
    // Otherwise a body within maxBodyBytes could never be read whole.
    if (l.maxUnverifiedBytesPerClient < l.maxBodyBytes) {
      ctx.addIssue({
        code: "custom",
        path: ["maxUnverifiedBytesPerClient"],
        message: `must be at least maxBodyBytes (${l.maxBodyBytes})`,
      });
    }
    if (l.maxUnverifiedBytes < l.maxUnverifiedBytesPerClient) {
      ctx.addIssue({
        code: "custom",
        path: ["maxUnverifiedBytes"],
        message: `must be at least maxUnverifiedBytesPerClient (${l.maxUnverifiedBytesPerClient})`,
      });
    }
  })
  .default(DEFAULT_LIMITS);

const MIN_RETENTION = 7 * 86_400_000;

/** An absolute http(s) URL without a query or fragment; a trailing slash is dropped. */
const baseUrl = z
  .string()
  .refine(
    (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
    "expected an http:// or https:// URL",
  )
  .refine(
    (u) => !URL.canParse(u) || (new URL(u).search === "" && new URL(u).hash === ""),
    "expected a URL without ?query or #fragment",
  )
  .transform((u) => u.replace(/\/+$/, ""));

const VERCEL_URLS = { apiUrl: "https://api.vercel.com", siteUrl: "https://vercel.com" };

/** Switchyard as a Vercel integration that Vercel users install (docs/integration.md). */
const integrationSection = z.strictObject({
  /** The integration's URL slug in Vercel's Integration Console. */
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "the integration's slug: lower-case letters, digits and '-'"),
  clientId: z.string().regex(/^oac_[A-Za-z0-9]+$/, "expected the integration's client id, oac_…"),
  /** Also the key of the integration's webhook signatures. */
  clientSecret: z.string().min(1, "the client secret cannot be empty"),
  /** How Vercel and browsers reach Switchyard. */
  publicUrl: baseUrl,
  vercel: z
    .strictObject({
      apiUrl: baseUrl.default(VERCEL_URLS.apiUrl),
      siteUrl: baseUrl.default(VERCEL_URLS.siteUrl),
    })
    .default(VERCEL_URLS),
});

/** The whole configuration: one typed schema, validated at start-up. Unknown keys are errors. */
export const configSchema = z
  .strictObject({
    server: serverSection,
    database: z
      .strictObject({
        url: z
          .string()
          .regex(
            /^(sqlite:.+|postgres(ql)?:\/\/.+)/,
            "expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE",
          )
          .default("sqlite:./.switchyard/switchyard.db"),
      })
      .default({ url: "sqlite:./.switchyard/switchyard.db" }),
    // An empty value (`${SWITCHYARD_ADMIN_TOKEN:-}`) means "not set": one is generated.
    adminToken: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "an admin token needs at least 16 characters").optional(),
    ),
    // The key that seals the secrets kept in the store (32 bytes, base64). Empty: one is generated.
    encryptionKey: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .refine((t) => {
          try {
            SecretBox.fromText(t);
            return true;
          } catch {
            return false;
          }
        }, "an encryption key is 32 bytes in base64 (44 characters): `openssl rand -base64 32`")
        .optional(),
    ),
    limits: limitsSection,
    retention: durationSchema
      .default(30 * 86_400_000)
      .refine((ms) => ms >= MIN_RETENTION, "retention must be at least 7d (the dedupe window)"),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        format: z.enum(["auto", "json", "pretty"]).default("auto"),
      })
      .default({ level: "info", format: "auto" }),
    sources: z.array(sourceSchema).default([]),
    destinations: z.array(destinationSchema).default([]),
    routes: z.array(routeSchema).default([]),
    delivery: deliverySection,
    transforms: transformsSection,
    // Absent, or present with every key commented out: Switchyard serves its own account only.
    integration: z.preprocess((v) => (v === null ? undefined : v), integrationSection.optional()),
    /** Deployment integration actions (docs/actions.md): need `integration`. */
    actions: z.array(actionSchema).default([]),
    /** Deployment checks reported to Vercel's Checks API (docs/actions.md): need `integration`. */
    checks: z.array(checkSchema).default([]),
  })
  .superRefine((config, ctx) => {
    for (const section of ["actions", "checks"] as const) {
      if (config[section].length > 0 && !config.integration)
        ctx.addIssue({
          code: "custom",
          path: [section],
          message: `${section} are run for the installations of a Vercel integration: configure integration too`,
        });
    }
    const named: [keyof typeof config, string, string][] = [
      ["sources", "slug", "source slug"],
      ["destinations", "slug", "destination slug"],
      ["routes", "slug", "route slug"],
      ["actions", "slug", "action slug"],
      ["checks", "name", "check name"],
    ];
    for (const [section, key, what] of named) {
      const seen = new Set<string>();
      (config[section] as Record<string, unknown>[]).forEach((item, i) => {
        const value = String(item[key]);
        if (seen.has(value))
          ctx.addIssue({ code: "custom", path: [section, i, key], message: `duplicate ${what} "${value}"` });
        seen.add(value);
      });
    }
    for (const [reserved, what] of [
      [INTERNAL_SOURCE, "the built-in source of Switchyard's own events"],
      [INTEGRATION_SOURCE, "the source of the Vercel integration's webhook"],
    ]) {
      if (config.sources.some((s) => s.slug === reserved))
        ctx.addIssue({ code: "custom", path: ["sources"], message: `"${reserved}" is ${what}` });
    }
    const sources = new Set([
      ...config.sources.map((s) => s.slug),
      INTERNAL_SOURCE,
      ...(config.integration ? [INTEGRATION_SOURCE] : []),
    ]);
    const destinations = new Set(config.destinations.map((d) => d.slug));
    config.routes.forEach((route, i) => {
      route.source.forEach((s, j) => {
        if (!sources.has(s))
          ctx.addIssue({ code: "custom", path: ["routes", i, "source", j], message: `no source "${s}"` });
      });
      route.destinations.forEach((d, j) => {
        if (!destinations.has(d)) {
          ctx.addIssue({
            code: "custom",
            path: ["routes", i, "destinations", j],
            message: `no destination "${d}"`,
          });
        }
      });
    });
  });

export type Config = z.output<typeof configSchema>;
export type SourceConfig = Config["sources"][number];
export type IntegrationConfig = NonNullable<Config["integration"]>;
