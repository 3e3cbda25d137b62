import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { filterGroupSchema } from "../core/filter.js";
import { rateSchema } from "../core/rate-limit.js";
import { DEFAULT_RETRY_POLICY } from "../core/retry-schedule.js";
import { transformSchema } from "../transform/schema.js";
import { secretList, slug } from "./primitives.js";

const retry = z
  .strictObject({
    schedule: z
      .array(durationSchema)
      .min(1, "a schedule needs at least one delay")
      .default([...DEFAULT_RETRY_POLICY.schedule]),
    maxAge: durationSchema.default(DEFAULT_RETRY_POLICY.maxAge),
    jitter: z.number().min(0).max(1).default(DEFAULT_RETRY_POLICY.jitter),
  })
  .default({ ...DEFAULT_RETRY_POLICY, schedule: [...DEFAULT_RETRY_POLICY.schedule] });

const signing = z
  .strictObject({
    scheme: z.enum(["standard-webhooks", "vercel", "none"]),
    secrets: secretList,
  })
  .superRefine((s, ctx) => {
    if (s.scheme !== "none" && s.secrets.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["secrets"],
        message: `scheme ${s.scheme} needs at least one secret`,
      });
    }
    if (s.scheme === "standard-webhooks") {
      s.secrets.forEach((secret, i) => {
        if (!/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) {
          ctx.addIssue({ code: "custom", path: ["secrets", i], message: "expected a whsec_<base64> secret" });
        }
      });
    }
  })
  .default({ scheme: "none", secrets: [] });

/** A place events are delivered to. */
export const destinationSchema = z.strictObject({
  slug,
  url: z
    .string()
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      "expected an http:// or https:// URL",
    ),
  headers: z.record(z.string(), z.string()).default({}),
  timeout: durationSchema
    .default(30_000)
    .refine((ms) => ms >= 100 && ms <= 300_000, "timeout must be between 100ms and 5m"),
  retry,
  signing,
  maxConcurrency: z.number().int().min(1).max(1000).default(10),
  rateLimit: rateSchema.optional(),
  ordering: z.enum(["none", "fifo"]).default("none"),
  allowPrivateNetwork: z.boolean().optional(),
});

/** Which events go to which destinations. */
export const routeSchema = z.strictObject({
  slug,
  source: z.union([slug, z.array(slug).min(1)]).transform((s) => (Array.isArray(s) ? s : [s])),
  types: z.array(z.string().min(1)).min(1).optional(),
  filter: filterGroupSchema.optional(),
  transform: transformSchema.optional(),
  destinations: z.array(slug).min(1, "a route needs at least one destination"),
});

/** Worker settings shared by every destination. */
export const deliverySection = z
  .strictObject({
    allowPrivateNetworks: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(10_000).default(256),
  })
  .default({ allowPrivateNetworks: false, concurrency: 256 });

export type DestinationConfig = z.output<typeof destinationSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
