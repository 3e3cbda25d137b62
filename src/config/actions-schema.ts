import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { runDescription, slug } from "./primitives.js";

const httpUrl = z
  .string()
  .refine(
    (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
    "expected an http:// or https:// URL",
  );

/** An action that branches a PostgreSQL database per deployment (or per git ref). */
const postgresBranchAction = z.strictObject({
  slug,
  kind: z.literal("postgres-branch"),
  description: runDescription,
  postgres: z.strictObject({
    /** A role that may CREATE DATABASE and CREATE ROLE. */
    url: z.string().regex(/^postgres(ql)?:\/\/.+/, "expected postgres://USER@HOST:PORT/DATABASE"),
    /** The database each branch is cloned from. */
    template: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "expected a database name"),
  }),
  branchBy: z.enum(["git-ref", "deployment"]).default("git-ref"),
  /** The resource secret Vercel sets for the deployment. */
  secretName: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name")
    .default("DATABASE_URL"),
  timeout: durationSchema.default(10 * 60_000),
});

/** An action that POSTs the start event (signed) to a URL and reports what it answers. */
const httpAction = z.strictObject({
  slug,
  kind: z.literal("http"),
  description: runDescription,
  url: httpUrl,
  timeout: durationSchema.default(60_000),
});

/** The deployment integration actions this server performs, by the slug declared in Vercel's console. */
export const actionSchema = z.discriminatedUnion("kind", [postgresBranchAction, httpAction]);

export type ActionConfig = z.output<typeof actionSchema>;
