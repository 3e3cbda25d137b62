/**
 * Deployment integration action events (seed L71–L96, and seeds/000): a native integration's
 * resource runs an action, such as branching a database, while the deployment waits.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { idRef, installationFields } from "./shared.js";

const actionPayload = z.looseObject({
  ...installationFields,
  resourceId: z.string(),
  // The action slug, declared by the integration.
  action: z.string(),
  deployment: idRef,
});

/** Deployment action event definitions, in catalog order. */
export const deploymentActionEvents = [
  defineEvent({
    type: "deployment.integration.action.start",
    category: "deployment-action",
    description: "A deployment started an integration action; the build waits until it completes.",
    payload: actionPayload,
  }),
  defineEvent({
    type: "deployment.integration.action.cancel",
    category: "deployment-action",
    description: "An integration action, or its deployment, was canceled; clean up partial work.",
    payload: actionPayload,
  }),
  defineEvent({
    type: "deployment.integration.action.cleanup",
    category: "deployment-action",
    description: "A deployment that ran an integration action was deleted; drop its persistent state.",
    payload: actionPayload,
  }),
] as const;
