import { z } from "zod";
import { type EventFacts, pick } from "./facts.js";
import { isoTime } from "./format.js";

export const rowOptions = z.strictObject({
  /** `iso` (ISO 8601 text) or `epoch_ms` (a number) for `created_at`. */
  timestamps: z.enum(["iso", "epoch_ms"]).default("iso"),
});

/**
 * A flat record with the same columns for every event type (null where a type has no such value),
 * so one table holds them all: Hookbase's "Database Format", widened past deployments.
 */
export function renderRow(event: unknown, facts: EventFacts, options: z.output<typeof rowOptions>): object {
  const e = event as Record<string, unknown> | null;
  const p = e?.payload;
  const deployment = (p as { deployment?: { meta?: unknown } } | null | undefined)?.deployment;
  const meta = deployment?.meta;
  const org = pick(meta, "githubOrg", "gitlabProjectNamespace", "bitbucketRepoOwner");
  const repo = pick(meta, "githubRepo", "gitlabProjectName", "bitbucketRepoName");
  return {
    vercel_event_id: pick(e, "id"),
    event_type: facts.type,
    created_at: options.timestamps === "iso" ? isoTime(facts.occurredAt) : facts.occurredAt,
    region: pick(e, "region"),
    team_id: pick(p, "team.id") ?? pick(e, "teamId"),
    team_slug: pick(p, "team.slug"),
    user_id: pick(p, "user.id") ?? pick(e, "userId"),
    project_id: pick(p, "project.id", "projectId"),
    project_name: pick(p, "project.name", "deployment.name"),
    deployment_id: pick(p, "deployment.id"),
    deployment_url: pick(p, "deployment.url"),
    target: deployment ? (pick(p, "target", "deployment.target") ?? "preview") : null,
    ready_state: pick(p, "deployment.readyState"),
    error_message: facts.error,
    git_sha: pick(meta, "githubCommitSha", "gitlabCommitSha", "bitbucketCommitSha"),
    git_branch: pick(meta, "githubCommitRef", "gitlabCommitRef", "bitbucketCommitRef"),
    git_message: facts.commit,
    git_author: pick(meta, "githubCommitAuthorName", "gitlabCommitAuthorName", "bitbucketCommitAuthorName"),
    git_repo: org && repo ? `${org}/${repo}` : repo,
    domain: pick(p, "domain.name", "cert.cns", "dnsNames", "zone"),
    installation_id: pick(p, "configuration.id", "installationId"),
    severity: facts.severity,
    summary: facts.summary,
  };
}
