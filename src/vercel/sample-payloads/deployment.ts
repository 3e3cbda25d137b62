/** Sample payloads for deployment lifecycle, check and deployment action events. */
import {
  actor,
  CONFIGURATION_ID,
  PREVIOUS_DEPLOYMENT_ID,
  PROJECT_ID,
  PROJECT_NAME,
  RESOURCE_ID,
  type SampleContext,
  type SamplePayloadBuilders,
  TEAM_SLUG,
} from "./fixtures.js";

/** The deployment summary, links and project fields of a lifecycle event (without `target`). */
export function deploymentCore(ctx: SampleContext) {
  const hash = ctx.deploymentId.slice(4, 13).toLowerCase();
  return {
    deployment: {
      id: ctx.deploymentId,
      meta: {
        githubCommitSha: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0",
        githubCommitMessage: "feat: add checkout page",
        githubCommitAuthorName: "Jane Smith",
        githubCommitRef: "main",
        githubOrg: TEAM_SLUG,
        githubRepo: PROJECT_NAME,
      },
      url: `${PROJECT_NAME}-${hash}-${TEAM_SLUG}.vercel.app`,
      name: PROJECT_NAME,
    },
    links: {
      deployment: `https://vercel.com/${TEAM_SLUG}/${PROJECT_NAME}/${ctx.deploymentId.slice(4)}`,
      project: `https://vercel.com/${TEAM_SLUG}/${PROJECT_NAME}`,
    },
    plan: "pro",
    regions: ["iad1"],
  };
}

function lifecycle(ctx: SampleContext) {
  return { ...actor, ...deploymentCore(ctx), target: "production", project: { id: PROJECT_ID } };
}

function action(ctx: SampleContext) {
  return {
    configuration: { id: CONFIGURATION_ID },
    installationId: CONFIGURATION_ID,
    resourceId: RESOURCE_ID,
    action: "branch",
    deployment: { id: ctx.deploymentId },
  };
}

function checkRun(ctx: SampleContext) {
  return {
    id: "crun_Lm3nO5pQ7rS9tU1vW3xY5zA7",
    checkId: "chk_Bc2dE4fG6hI8jK0lM2nO4pQ6",
    source: {
      kind: "integration",
      integrationConfigurationId: CONFIGURATION_ID,
      externalResourceId: RESOURCE_ID,
    },
    deploymentId: ctx.deploymentId,
    timeout: 600,
  };
}

function deploymentRef(ctx: SampleContext) {
  return { ...actor, deployment: { id: ctx.deploymentId }, project: { id: PROJECT_ID } };
}

/** Payload builders for deployment, check and deployment action events. */
export const deploymentSamples = {
  "deployment.created": (ctx) => ({
    ...lifecycle(ctx),
    alias: [`${PROJECT_NAME}-git-main-${TEAM_SLUG}.vercel.app`, "www.acme-shop.com"],
  }),
  "deployment.canceled": lifecycle,
  "deployment.error": lifecycle,
  "deployment.ready": lifecycle,
  "deployment.succeeded": lifecycle,
  "deployment.promoted": (ctx) => ({ ...actor, ...deploymentCore(ctx), project: { id: PROJECT_ID } }),
  "deployment.rollback": (ctx) => ({
    ...deploymentRef(ctx),
    fromDeploymentId: ctx.deploymentId,
    toDeploymentId: PREVIOUS_DEPLOYMENT_ID,
  }),
  "deployment.cleanup": deploymentRef,
  "deployment.build-requested": deploymentRef,
  "deployment.blocked": deploymentRef,
  "deployment.check-rerequested": (ctx) => ({
    ...actor,
    deployment: { id: ctx.deploymentId },
    check: { id: "check_2qn7PZrx4YtW8vK1mB5cD9eF" },
  }),
  "deployment.checkrun.start": (ctx) => ({
    ...deploymentRef(ctx),
    checkRun: checkRun(ctx),
  }),
  "deployment.checkrun.cancel": (ctx) => ({ ...deploymentRef(ctx), checkRun: checkRun(ctx) }),
  "deployment.checks.failed": deploymentRef,
  "deployment.checks.succeeded": deploymentRef,
  "deployment.integration.action.start": action,
  "deployment.integration.action.cancel": action,
  "deployment.integration.action.cleanup": action,
} satisfies Partial<SamplePayloadBuilders>;
