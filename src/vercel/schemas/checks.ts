/**
 * Deployment check events: the seed's `deployment.check-rerequested` (L30) and the Checks v2 and
 * aggregate check events that only the OpenAPI enum lists (reference §1.5).
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { actorFields, idRef, optionalDeploymentContext } from "./shared.js";

// Shape from Vercel's example marketplace integration (EMI), the only source for Checks v2 runs.
const checkRun = z.looseObject({
  id: z.string(),
  checkId: z.string(),
  source: z.looseObject({
    // Only "integration" has been seen; kept open so a new kind is not reported as an issue.
    kind: z.string(),
    integrationConfigurationId: z.string(),
    externalResourceId: z.string().optional(),
  }),
  deploymentId: z.string(),
  timeout: z.number().optional(),
});

/** Check event definitions, in catalog order. */
export const checkEvents = [
  defineEvent({
    type: "deployment.check-rerequested",
    category: "check",
    description: "A user asked for a failed check to be run again.",
    payload: z.looseObject({ ...actorFields, deployment: idRef, check: idRef }),
  }),
  defineEvent({
    type: "deployment.checkrun.start",
    category: "check",
    description: "A Checks v2 check run should start.",
    payload: z.looseObject({ ...optionalDeploymentContext, checkRun, deployment: idRef }),
  }),
  defineEvent({
    type: "deployment.checkrun.cancel",
    category: "check",
    description: "A Checks v2 check run was canceled (payload assumed to match checkrun.start).",
    payload: z.looseObject({ ...optionalDeploymentContext, checkRun: checkRun.optional() }),
  }),
  defineEvent({
    type: "deployment.checks.failed",
    category: "check",
    description: "A deployment's checks finished and at least one failed (payload undocumented).",
    payload: z.looseObject(optionalDeploymentContext),
  }),
  defineEvent({
    type: "deployment.checks.succeeded",
    category: "check",
    description: "All of a deployment's checks succeeded (payload undocumented).",
    payload: z.looseObject(optionalDeploymentContext),
  }),
] as const;
