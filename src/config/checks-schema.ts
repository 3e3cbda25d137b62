import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { runDescription } from "./primitives.js";

/** The placeholders a check's URL may hold, filled from the deployment it checks. */
export const CHECK_URL_PLACEHOLDERS = ["{deployment.url}", "{deployment.id}"] as const;

/** A URL as it would be with its placeholders filled: what must parse as http(s). */
const filledForValidation = (u: string) =>
  u.replaceAll("{deployment.url}", "deployment.example.com").replaceAll("{deployment.id}", "dpl_x");

const checkUrl = z
  .string()
  .refine(
    (u) => !/\{[^}]*\}/.test(filledForValidation(u)),
    `the only placeholders are ${CHECK_URL_PLACEHOLDERS.join(" and ")}`,
  )
  .refine((u) => {
    const filled = filledForValidation(u);
    return URL.canParse(filled) && /^https?:$/.test(new URL(filled).protocol);
  }, "expected an http:// or https:// URL");

/** A deployment check (Vercel's Checks API): an HTTP request to the deployment once it is ready. */
export const checkSchema = z.strictObject({
  /** Shown in Vercel's dashboard; keys the check's runs, so unique. */
  name: z.string().trim().min(1, "a check needs a name").max(100, "at most 100 characters"),
  kind: z.literal("http"),
  description: runDescription,
  url: checkUrl,
  /** A failed blocking check stops the deployment's promotion. */
  blocking: z.boolean().default(false),
  /** Vercel offers to run it again. */
  rerequestable: z.boolean().default(true),
  expect: z
    .strictObject({
      /** The status expected; absent: any 2xx. */
      status: z.number().int().min(100).max(599).optional(),
      /** Text the body must contain. */
      bodyContains: z.string().min(1, "cannot be empty").optional(),
    })
    .default({}),
  timeout: durationSchema
    .default(30_000)
    .refine((ms) => ms >= 100 && ms <= 600_000, "expected from 100ms to 10m"),
  targets: z
    .array(z.enum(["preview", "production"]))
    .min(1, "at least one target")
    .default(["preview", "production"]),
});

export type CheckConfig = z.output<typeof checkSchema>;
