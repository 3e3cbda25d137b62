/**
 * Rolling release events (seed L423–L520): a production rollout that shifts traffic to a new
 * deployment in stages.
 */
import { z } from "zod";
import { defineEvent } from "../define-event.js";
import { actorFields, namedProject } from "./shared.js";

const deploymentSplit = z.looseObject({
  baseDeploymentId: z.string(),
  targetDeploymentId: z.string(),
  targetPercentage: z.number(),
  targetStartAt: z.number(),
  targetUpdatedAt: z.number(),
});

const rollingRelease = z.looseObject({
  projectId: z.string(),
  ownerId: z.string(),
  deploymentIds: z.array(z.string()),
  state: z.enum(["ACTIVE", "COMPLETE", "ABORTED"]),
  activeStageIndex: z.number(),
  default: deploymentSplit,
  config: z.looseObject({
    target: z.string(),
    stages: z.array(z.looseObject({})),
  }),
  writtenBy: z.string(),
});

// The aborted event's table does not list targetPercentage (L486–L490).
const abortedRollingRelease = z.looseObject({
  ...rollingRelease.shape,
  default: z.looseObject({ ...deploymentSplit.shape, targetPercentage: z.number().optional() }),
});

// The seed types the previous release only as "Object".
const previousRelease = z.looseObject({});

const rollingReleasePayload = z.looseObject({
  ...actorFields,
  project: namedProject,
  rollingRelease,
  prevRollingRelease: previousRelease,
});

/** Rolling release event definitions, in catalog order. */
export const rollingReleaseEvents = [
  defineEvent({
    type: "project.rolling-release.started",
    category: "rolling-release",
    description: "A rolling release started.",
    payload: z.looseObject({
      ...rollingReleasePayload.shape,
      // "The previous rolling release configuration (if any)" (L520).
      prevRollingRelease: previousRelease.nullable(),
    }),
  }),
  defineEvent({
    type: "project.rolling-release.approved",
    category: "rolling-release",
    description: "A rolling release stage was approved and the release moved to the next stage.",
    payload: rollingReleasePayload,
  }),
  defineEvent({
    type: "project.rolling-release.completed",
    category: "rolling-release",
    description: "A rolling release completed: the target deployment serves all traffic.",
    payload: rollingReleasePayload,
  }),
  defineEvent({
    type: "project.rolling-release.aborted",
    category: "rolling-release",
    description: "A rolling release was aborted.",
    payload: z.looseObject({ ...rollingReleasePayload.shape, rollingRelease: abortedRollingRelease }),
  }),
] as const;
