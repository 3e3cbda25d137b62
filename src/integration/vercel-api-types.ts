/** The shapes the Vercel REST client takes and answers (src/integration/vercel-api.ts). */

/** What the integration's Redirect URL received, and the integration's own credentials. */
export interface CodeExchange {
  clientId: string;
  clientSecret: string;
  code: string;
  /** The Redirect URL exactly as registered on the Integration Console. */
  redirectUri: string;
}

/** The long-lived token of one installation, and whom it acts for. */
export interface InstallationToken {
  accessToken: string;
  tokenType: string;
  installationId: string;
  userId: string;
  /** The team the integration was installed on; null for a personal account. */
  teamId: string | null;
}

/** What an action's work needs of its deployment. */
export interface VercelDeployment {
  id: string;
  url: string;
  projectId: string | null;
  /** `production`, `staging` or null (a preview). */
  target: string | null;
  /** The git branch (or tag) deployed, when it came from git. */
  gitRef: string | null;
  gitSha: string | null;
}

/** Which action of which deployment a status update is for. */
export interface ActionTarget {
  deploymentId: string;
  /** The installation's configuration id (`icfg_…`). */
  installationId: string;
  resourceId: string;
  action: string;
}

/** The body of an action's status update (all optional, as the endpoint takes it). */
export interface ActionUpdate {
  status?: "running" | "succeeded" | "failed";
  statusText?: string;
  statusUrl?: string;
  outcomes?: { kind: "resource-secrets"; secrets: { name: string; value: string }[] }[];
}

/** A new check on a deployment. */
export interface CheckCreate {
  name: string;
  blocking: boolean;
  rerequestable?: boolean;
  detailsUrl?: string;
  externalId?: string;
}

/** A check's progress: running, or done with a conclusion. */
export interface CheckUpdate {
  status?: "running" | "completed";
  conclusion?: "canceled" | "failed" | "neutral" | "succeeded" | "skipped";
  detailsUrl?: string;
}

/** A v1 check as the deployment's list of checks shows it: how Switchyard finds one it made. */
export interface ListedCheck {
  id: string;
  name: string;
  /** What the creator passed; documented on one check, not in the list's shape, so it may be absent. */
  externalId: string | null;
  detailsUrl: string | null;
}

/** A checks-v2 run's progress. */
export interface CheckRunUpdate {
  status?: "queued" | "running" | "completed";
  conclusion?: "canceled" | "skipped" | "timeout" | "failed" | "neutral" | "succeeded";
  conclusionText?: string;
  externalUrl?: string;
}

/** A checks-v2 run as Vercel keeps it: the project check's name it runs, and where it stands. */
export interface VercelCheckRun {
  id: string;
  /** The project check's name, as the project's settings show it. */
  name: string;
  /** The project check it is a run of (absent for Vercel's own CI runs). */
  checkId: string | null;
  status: "queued" | "running" | "completed";
  conclusion: string | null;
}

export interface VercelProject {
  id: string;
  name: string;
}
