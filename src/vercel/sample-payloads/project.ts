/** Sample payloads for project and rolling release events. */
import {
  actor,
  PREVIOUS_DEPLOYMENT_ID,
  PROJECT_ID,
  PROJECT_NAME,
  type SampleContext,
  type SamplePayloadBuilders,
  TEAM_ID,
} from "./fixtures.js";

const stages = [
  { targetPercentage: 10, duration: 10, requireApproval: false },
  { targetPercentage: 50, duration: 30, requireApproval: true },
  { targetPercentage: 100 },
];

type ReleaseState = "ACTIVE" | "COMPLETE" | "ABORTED";

function rollingRelease(
  ctx: SampleContext,
  state: ReleaseState,
  activeStageIndex: number,
  percentage: number,
) {
  return {
    projectId: PROJECT_ID,
    ownerId: TEAM_ID,
    deploymentIds: [PREVIOUS_DEPLOYMENT_ID, ctx.deploymentId],
    state,
    activeStageIndex,
    default: {
      baseDeploymentId: PREVIOUS_DEPLOYMENT_ID,
      targetDeploymentId: ctx.deploymentId,
      targetPercentage: percentage,
      targetStartAt: ctx.createdAt - 15 * 60_000,
      targetUpdatedAt: ctx.createdAt,
    },
    config: { target: "production", stages },
    writtenBy: "user",
  };
}

function releaseEvent(ctx: SampleContext, state: ReleaseState, stage: number) {
  const percentageAt = (index: number) => stages[index]?.targetPercentage ?? 100;
  return {
    ...actor,
    project: { id: PROJECT_ID, name: PROJECT_NAME },
    rollingRelease: rollingRelease(ctx, state, stage, percentageAt(stage)),
    prevRollingRelease: rollingRelease(
      ctx,
      "ACTIVE",
      Math.max(0, stage - 1),
      percentageAt(Math.max(0, stage - 1)),
    ),
  };
}

// The aborted event's docs list no targetPercentage, so the sample leaves it out.
function abortedEvent(ctx: SampleContext) {
  const event = releaseEvent(ctx, "ABORTED", 1);
  const { targetPercentage: _omitted, ...split } = event.rollingRelease.default;
  return { ...event, rollingRelease: { ...event.rollingRelease, default: split } };
}

const project = { ...actor, project: { id: PROJECT_ID, name: PROJECT_NAME } };

/** Payload builders for project and rolling release events. */
export const projectSamples = {
  "project.created": () => project,
  "project.removed": () => project,
  "project.rolling-release.started": (ctx) => ({
    ...releaseEvent(ctx, "ACTIVE", 0),
    prevRollingRelease: null,
  }),
  "project.rolling-release.approved": (ctx) => releaseEvent(ctx, "ACTIVE", 1),
  "project.rolling-release.completed": (ctx) => releaseEvent(ctx, "COMPLETE", 2),
  "project.rolling-release.aborted": abortedEvent,
} satisfies Partial<SamplePayloadBuilders>;
