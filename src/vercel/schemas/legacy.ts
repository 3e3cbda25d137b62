/**
 * Legacy (deprecated) event types (seed L522–L698). Vercel still delivers them to webhooks created
 * before the dotted names existed, in the legacy envelope. Each is its own type: `deployment-ready`
 * is not a spelling of `deployment.ready` (it was replaced by `deployment.succeeded`).
 */
import { z } from "zod";
import { defineLegacyEvent } from "../define-event.js";
import {
  dashboardLinks,
  deploymentSummary,
  deploymentTarget,
  idRef,
  namedProject,
  projectSelection,
} from "./shared.js";

// Legacy deployment payloads carry `projectId` rather than `project.id`, and no team or user
// (those live in the legacy envelope).
const legacyDeploymentFields = {
  deployment: deploymentSummary,
  links: dashboardLinks,
  target: deploymentTarget,
  projectId: z.string(),
  plan: z.string(),
  regions: z.array(z.string()),
};
const legacyDeploymentPayload = z.looseObject(legacyDeploymentFields);
const legacyProjectPayload = z.looseObject({ project: namedProject });

const checkSummary = z.looseObject({
  // Always prefixed `check_`.
  id: z.string(),
  name: z.string(),
  status: z.enum(["registered", "running", "completed"]),
  // The seed spells "cancelled"; the Checks REST API spells "canceled" and adds "stale".
  conclusion: z.enum(["cancelled", "canceled", "failed", "neutral", "succeeded", "skipped", "stale"]),
  blocking: z.boolean(),
  integrationId: z.string(),
});

/** Legacy event definitions, in catalog order. */
export const legacyEvents = [
  defineLegacyEvent({
    type: "deployment",
    replacedBy: "deployment.created",
    category: "deployment",
    description: "Legacy: a deployment was created.",
    payload: z.looseObject({ ...legacyDeploymentFields, alias: z.array(z.string()) }),
  }),
  defineLegacyEvent({
    type: "deployment-ready",
    replacedBy: "deployment.succeeded",
    category: "deployment",
    description: "Legacy: a deployment is ready, after all blocking checks have passed.",
    payload: legacyDeploymentPayload,
  }),
  defineLegacyEvent({
    type: "deployment-prepared",
    replacedBy: "deployment.ready",
    category: "deployment",
    description: "Legacy: a deployment was built and the integration's checks can now run.",
    payload: legacyDeploymentPayload,
  }),
  defineLegacyEvent({
    type: "deployment-canceled",
    replacedBy: "deployment.canceled",
    category: "deployment",
    description: "Legacy: a deployment was canceled.",
    payload: legacyDeploymentPayload,
  }),
  defineLegacyEvent({
    type: "deployment-error",
    replacedBy: "deployment.error",
    category: "deployment",
    description: "Legacy: a deployment failed.",
    payload: legacyDeploymentPayload,
  }),
  defineLegacyEvent({
    type: "deployment-check-rerequested",
    replacedBy: "deployment.check-rerequested",
    category: "check",
    description: "Legacy: a user asked for a failed check to be run again.",
    payload: z.looseObject({ deployment: idRef, check: idRef }),
  }),
  defineLegacyEvent({
    type: "deployment-checks-completed",
    // Removed without a true successor; the docs point to deployment.succeeded instead.
    replacedBy: "deployment.succeeded",
    category: "check",
    description: "Legacy (removed): all checks of a deployment stopped running, passed or not.",
    payload: z.looseObject({ deployment: idRef, checks: z.array(checkSummary) }),
  }),
  defineLegacyEvent({
    type: "project-created",
    replacedBy: "project.created",
    category: "project",
    description: "Legacy: a project was created.",
    payload: legacyProjectPayload,
  }),
  defineLegacyEvent({
    type: "project-removed",
    replacedBy: "project.removed",
    category: "project",
    description: "Legacy: a project was removed.",
    payload: legacyProjectPayload,
  }),
  defineLegacyEvent({
    type: "integration-configuration-removed",
    replacedBy: "integration-configuration.removed",
    category: "integration",
    description: "Legacy: an integration installation was removed.",
    payload: z.looseObject({
      configuration: z.looseObject({ id: z.string(), projects: z.array(z.string()) }),
    }),
  }),
  defineLegacyEvent({
    type: "integration-configuration-permission-updated",
    replacedBy: "integration-configuration.permission-upgraded",
    category: "integration",
    description: "Legacy: the user changed which projects an integration installation may access.",
    payload: z.looseObject({
      configuration: z.looseObject({ id: z.string(), projectSelection, projects: z.array(z.string()) }),
      projects: z.looseObject({ added: z.array(z.string()), removed: z.array(z.string()) }),
    }),
  }),
  defineLegacyEvent({
    type: "integration-configuration-scope-change-confirmed",
    replacedBy: "integration-configuration.scope-change-confirmed",
    category: "integration",
    description: "Legacy: the user confirmed pending scope changes of an integration installation.",
    payload: z.looseObject({
      configuration: z.looseObject({ id: z.string(), scopes: z.array(z.string()) }),
    }),
  }),
  defineLegacyEvent({
    type: "domain-created",
    replacedBy: "domain.created",
    category: "domain",
    description: "Legacy: a domain was created.",
    payload: z.looseObject({
      // The legacy table types `delegated` as String, unlike the current event's Boolean.
      domain: z.looseObject({ name: z.string(), delegated: z.union([z.string(), z.boolean()]) }),
    }),
  }),
] as const;
