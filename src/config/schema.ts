import { z } from "zod";
import { parseDuration } from "../core/duration.js";

const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "a slug: lower-case letters, digits, '-' or '_', at most 63 characters",
  );

const secretList = z.array(z.string().min(1, "a secret cannot be empty")).default([]);

/** A duration written as `30s`, `5m`, `24h`, `30d`; parsed to milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 30s, 5m, 24h or 7d, got "${text}"`,
    });
    return z.NEVER;
  }
  return ms;
});

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
  tolerance: duration.default(300_000),
});

const source = z
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

const MIN_RETENTION = 7 * 86_400_000;

/** The whole configuration: one typed schema, validated at start-up. Unknown keys are errors. */
export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        port: z.coerce.number().int().min(0).max(65_535).default(8787),
        host: z.string().min(1).default("0.0.0.0"),
      })
      .default({ port: 8787, host: "0.0.0.0" }),
    database: z
      .strictObject({
        url: z
          .string()
          .regex(/^sqlite:.+/, "expected sqlite:PATH (postgres:// is not supported yet)")
          .default("sqlite:./.switchyard/switchyard.db"),
      })
      .default({ url: "sqlite:./.switchyard/switchyard.db" }),
    // An empty value (`${SWITCHYARD_ADMIN_TOKEN:-}`) means "not set": one is generated.
    adminToken: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "an admin token needs at least 16 characters").optional(),
    ),
    limits: z
      .strictObject({
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(1024 * 1024),
      })
      .default({ maxBodyBytes: 1024 * 1024 }),
    retention: duration
      .default(30 * 86_400_000)
      .refine((ms) => ms >= MIN_RETENTION, "retention must be at least 7d (the dedupe window)"),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .default({ level: "info" }),
    sources: z.array(source).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.sources.forEach((s, i) => {
      if (seen.has(s.slug)) {
        ctx.addIssue({
          code: "custom",
          path: ["sources", i, "slug"],
          message: `duplicate source slug "${s.slug}"`,
        });
      }
      seen.add(s.slug);
    });
  });

export type Config = z.output<typeof configSchema>;
export type SourceConfig = Config["sources"][number];
