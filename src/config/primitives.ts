import { z } from "zod";

/** A slug: names sources, destinations and routes in URLs and config. */
export const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "a slug: lower-case letters, digits, '-' or '_', at most 63 characters",
  );

export const secretList = z.array(z.string().min(1, "a secret cannot be empty")).default([]);

/** What a deployment action or check does, in one line on an installation's configuration page. */
export const runDescription = z
  .string()
  .trim()
  .min(1, "cannot be empty")
  .max(200, "at most 200 characters")
  .optional();
