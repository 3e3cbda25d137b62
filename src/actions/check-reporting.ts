import { clipText } from "../core/clip.js";
import { type CheckRunUpdate, type CheckUpdate, MAX_CONCLUSION_TEXT } from "../integration/vercel-api.js";
import { type ActionRun, isCheckRun, type ReportTarget } from "../storage/actions-port.js";

/** How a check run ends, as Vercel is told. */
export type CheckConclusion = "succeeded" | "failed" | "timeout" | "canceled" | "skipped";

/** The bodies of a check run's reports, and the endpoint they go to. */
export interface CheckReporting {
  target: ReportTarget;
  /** The run started its request. */
  running: CheckUpdate | CheckRunUpdate;
  /** The run ended; `why` is shown in Vercel where the API takes it. */
  concluded(conclusion: CheckConclusion, why: string | null): CheckUpdate | CheckRunUpdate;
}

/**
 * How a check run speaks to Vercel, linking the run's page: a v1 check's PATCH (`detailsUrl`; no
 * `timeout` conclusion there, so a timeout is `failed`, and no text: the page says why), or a
 * checks-v2 run's (`externalUrl`, and the reason as `conclusionText`).
 */
export function reportingOf(run: Pick<ActionRun, "kind" | "resourceId">, pageUrl: string): CheckReporting {
  if (isCheckRun(run)) {
    return {
      target: "check-run",
      running: { status: "running", externalUrl: pageUrl },
      concluded: (conclusion, why) => ({
        status: "completed",
        conclusion,
        ...(why === null ? {} : { conclusionText: clipText(why, MAX_CONCLUSION_TEXT) }),
        externalUrl: pageUrl,
      }),
    };
  }
  return {
    target: "check",
    running: { status: "running" },
    concluded: (conclusion) => ({
      status: "completed",
      conclusion: conclusion === "timeout" ? "failed" : conclusion,
      detailsUrl: pageUrl,
    }),
  };
}
