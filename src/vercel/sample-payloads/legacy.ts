/** Sample payloads for the legacy event types (their team and user live in the legacy envelope). */
import { deploymentCore } from "./deployment.js";
import {
  CONFIGURATION_ID,
  DOMAIN,
  PROJECT_ID,
  PROJECT_NAME,
  type SampleContext,
  type SamplePayloadBuilders,
} from "./fixtures.js";

function legacyDeployment(ctx: SampleContext) {
  return { ...deploymentCore(ctx), target: "production", projectId: PROJECT_ID };
}

const project = { project: { id: PROJECT_ID, name: PROJECT_NAME } };

/** Payload builders for legacy event types. */
export const legacySamples = {
  deployment: (ctx) => ({ ...legacyDeployment(ctx), alias: [`${PROJECT_NAME}.vercel.app`] }),
  "deployment-ready": legacyDeployment,
  "deployment-prepared": legacyDeployment,
  "deployment-canceled": legacyDeployment,
  "deployment-error": legacyDeployment,
  "deployment-check-rerequested": (ctx) => ({
    deployment: { id: ctx.deploymentId },
    check: { id: "check_2qn7PZrx4YtW8vK1mB5cD9eF" },
  }),
  "deployment-checks-completed": (ctx) => ({
    deployment: { id: ctx.deploymentId },
    checks: [
      {
        id: "check_2qn7PZrx4YtW8vK1mB5cD9eF",
        name: "Lighthouse",
        status: "completed",
        conclusion: "succeeded",
        blocking: true,
        integrationId: "oac_7Hx9qPzR4mN2vL5wK8jB3cT6",
      },
    ],
  }),
  "project-created": () => project,
  "project-removed": () => project,
  "integration-configuration-removed": () => ({
    configuration: { id: CONFIGURATION_ID, projects: [PROJECT_ID] },
  }),
  "integration-configuration-permission-updated": () => ({
    configuration: { id: CONFIGURATION_ID, projectSelection: "selected", projects: [PROJECT_ID] },
    projects: { added: [PROJECT_ID], removed: [] },
  }),
  "integration-configuration-scope-change-confirmed": () => ({
    configuration: { id: CONFIGURATION_ID, scopes: ["read:project", "read-write:deployment"] },
  }),
  "domain-created": () => ({ domain: { name: DOMAIN, delegated: "false" } }),
} satisfies Partial<SamplePayloadBuilders>;
