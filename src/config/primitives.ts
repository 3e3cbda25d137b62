import { z } from "zod";
import { parseDuration } from "../core/duration.js";

/** A slug: names sources, destinations and routes in URLs and config. */
export const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "a slug: lower-case letters, digits, '-' or '_', at most 63 characters",
  );

export const secretList = z.array(z.string().min(1, "a secret cannot be empty")).default([]);

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
