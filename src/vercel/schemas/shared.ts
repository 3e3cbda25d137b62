/**
 * Payload pieces shared by several event families. Field names and nullability follow the seed
 * field tables (reference §1.2); every object is loose because Vercel adds fields over time.
 */
import { z } from "zod";

/** `{ id }` objects that the seed lists with only their id (`deployment.id`, `check.id`, ...). */
export const idRef = z.looseObject({ id: z.string() });

/** The "T/U" fields: `team.id` (null outside a team) and `user.id`. */
export const actorFields = {
  team: z.looseObject({ id: z.string().nullable() }),
  // The seed does not mark user.id nullable, but Vercel's own example integration had to allow
  // null (EMI commit 38ecebc, "User id can be null for webhooks"), so we do too.
  user: z.looseObject({ id: z.string().nullable() }),
};

/**
 * For event types whose payload is undocumented (reference §1.5) we only know the family: the ids
 * Vercel very likely sends are typed but optional, so consumers get types without false issues.
 */
export const optionalDeploymentContext = {
  team: actorFields.team.optional(),
  user: actorFields.user.optional(),
  deployment: idRef.optional(),
  project: idRef.optional(),
};

/** The deployment summary carried by the deployment lifecycle events. */
export const deploymentSummary = z.looseObject({
  id: z.string(),
  meta: z.record(z.string(), z.string()),
  url: z.string(),
  name: z.string(),
});

/** Dashboard links for a deployment and its project. */
export const dashboardLinks = z.looseObject({
  deployment: z.string(),
  project: z.string(),
});

/** `production`, `staging` or null per the docs; other custom environment names do occur. */
export const deploymentTarget = z.string().nullable();

/** The installation fields every native-integration event carries. */
export const installationFields = {
  configuration: idRef,
  // Same value as configuration.id.
  installationId: z.string(),
};

/** Whether an integration may see all projects of the scope or only selected ones. */
export const projectSelection = z.enum(["all", "selected"]);

/** A project as most project events describe it. */
export const namedProject = z.looseObject({ id: z.string(), name: z.string() });

/** A Marketplace billing period; the seed types both ends as IsoDate strings. */
export const billingPeriod = z.looseObject({ start: z.string(), end: z.string() });

/**
 * The seed types some domain fields as "Date" without saying how they are encoded, so accept
 * either an ISO string or epoch milliseconds.
 */
export const looseDate = z.union([z.string(), z.number()]);
