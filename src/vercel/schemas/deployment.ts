/**
 * Deployment lifecycle events: the six in the seed (L14–L147) and four that only the newer docs
 * or the OpenAPI enum list (reference §1.5), whose payloads are mostly undocumented.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import {
  actorFields,
  dashboardLinks,
  deploymentSummary,
  deploymentTarget,
  idRef,
  optionalDeploymentContext,
} from "./shared.js";

// Seed fields shared by canceled, error, ready and succeeded (e.g. L14–L28).
const lifecycleFields = {
  ...actorFields,
  deployment: deploymentSummary,
  links: dashboardLinks,
  target: deploymentTarget,
  project: idRef,
  plan: z.string(),
  regions: z.array(z.string()),
};

const lifecyclePayload = z.looseObject(lifecycleFields);

const undocumentedDeploymentPayload = z.looseObject(optionalDeploymentContext);

/** Deployment lifecycle event definitions, in catalog order. */
export const deploymentEvents = [
  defineEvent({
    type: "deployment.created",
    category: "deployment",
    description: "A deployment was created.",
    payload: z.looseObject({ ...lifecycleFields, alias: z.array(z.string()) }),
  }),
  defineEvent({
    type: "deployment.canceled",
    category: "deployment",
    description: "A deployment was canceled.",
    payload: lifecyclePayload,
  }),
  defineEvent({
    type: "deployment.error",
    category: "deployment",
    description: "A deployment failed.",
    payload: lifecyclePayload,
  }),
  defineEvent({
    type: "deployment.ready",
    category: "deployment",
    description: "A deployment was built and the integration's checks can now run.",
    payload: lifecyclePayload,
  }),
  defineEvent({
    type: "deployment.succeeded",
    category: "deployment",
    description: "A deployment is ready, after all blocking checks have passed.",
    payload: lifecyclePayload,
  }),
  defineEvent({
    type: "deployment.promoted",
    category: "deployment",
    description: "A production deployment was promoted to serve production traffic.",
    // The seed lists no `target` for this event (L98).
    payload: z.looseObject({
      ...actorFields,
      deployment: deploymentSummary,
      links: dashboardLinks,
      project: idRef,
      plan: z.string(),
      regions: z.array(z.string()),
    }),
  }),
  defineEvent({
    type: "deployment.rollback",
    category: "deployment",
    description: "Production was rolled back from one deployment to another.",
    payload: z.looseObject({
      ...optionalDeploymentContext,
      fromDeploymentId: z.string(),
      toDeploymentId: z.string(),
    }),
  }),
  defineEvent({
    type: "deployment.cleanup",
    category: "deployment",
    description: "A deployment was permanently deleted.",
    payload: undocumentedDeploymentPayload,
  }),
  defineEvent({
    type: "deployment.build-requested",
    category: "deployment",
    description: "A build was requested for a deployment (payload undocumented).",
    payload: undocumentedDeploymentPayload,
  }),
  defineEvent({
    type: "deployment.blocked",
    category: "deployment",
    description: "A deployment was blocked (payload undocumented).",
    payload: undocumentedDeploymentPayload,
  }),
] as const;
