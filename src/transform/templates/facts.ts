import { getEventType, normalizeEventType } from "../../vercel/index.js";

/** How an event reads to a person: good news, bad news, something to look at, or information. */
export type Severity = "success" | "failure" | "warning" | "info";

/** One labelled value of an event, as every template shows it. */
export interface Fact {
  label: string;
  value: string;
}

/** What the templates say about any event: the same facts, rendered in each one's format. */
export interface EventFacts {
  /** Canonical type, or the type as sent, or "event". */
  type: string;
  title: string;
  emoji: string;
  severity: Severity;
  /** The subject in a few words: a project, a domain, an invoice. */
  subject: string | null;
  /** One sentence for notifications and plain text. */
  summary: string;
  fields: Fact[];
  /** A deployment's commit message, shown on its own line. */
  commit: string | null;
  error: string | null;
  url: string | null;
  occurredAt: number | null;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | null =>
  typeof v === "string" && v.trim() !== ""
    ? v
    : typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : null;

/** The first non-empty value among dotted paths of `root`. */
export function pick(root: unknown, ...paths: string[]): string | null {
  for (const path of paths) {
    let at: unknown = root;
    for (const key of path.split(".")) at = obj(at)[key];
    const found = Array.isArray(at) ? str(at.map(str).filter(Boolean).join(", ")) : str(at);
    if (found !== null) return found;
  }
  return null;
}

const TITLES: Record<string, [title: string, emoji: string]> = {
  "deployment.created": ["Deployment Started", ":rocket:"],
  "deployment.succeeded": ["Deployment Succeeded", ":white_check_mark:"],
  "deployment.ready": ["Deployment Ready", ":white_check_mark:"],
  "deployment.error": ["Deployment Failed", ":x:"],
  "deployment.canceled": ["Deployment Canceled", ":no_entry_sign:"],
  "deployment.promoted": ["Deployment Promoted", ":arrow_up:"],
  "deployment.rollback": ["Production Rolled Back", ":rewind:"],
  "switchyard.delivery.failed": ["Delivery Failed", ":rotating_light:"],
};

const FAILURE = /(error|failed|notpaid|aborted|blocked|unverified|removed-failed)/;
const WARNING = /(cancel|removed|deleted|cleanup|rollback|refunded|overdue|rerequested|disconnected)/;
const SUCCESS = /(succeeded|ready|completed|paid|verified|promoted|approved|renewal$|certificate-renew$)/;
const EMOJI: Record<Severity, string> = {
  success: ":white_check_mark:",
  failure: ":x:",
  warning: ":warning:",
  info: ":bell:",
};

function severityOf(type: string): Severity {
  if (FAILURE.test(type)) return "failure";
  if (WARNING.test(type)) return "warning";
  if (SUCCESS.test(type)) return "success";
  return "info";
}

/** `domain.certificate-renew-failed` → `Domain certificate renew failed`. */
function humanize(type: string): string {
  const words = type.replace(/[.\-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Reads the facts of an event envelope (any catalog type, or any JSON at all). */
export function factsOf(event: unknown): EventFacts {
  const e = obj(event);
  const sent = str(e.type);
  const type = sent ? normalizeEventType(sent).canonical : "event";
  const p = obj(e.payload);
  const severity = severityOf(type);
  const [title, emoji] = TITLES[type] ?? [humanize(type), EMOJI[severity]];
  const d = obj(p.deployment);
  const meta = obj(d.meta);
  const project = pick(p, "project.name", "deployment.name", "project.id", "projectId");
  const production = type === "deployment.promoted" || type === "deployment.rollback";
  const target = p.deployment
    ? (pick(p, "target", "deployment.target") ?? (production ? "production" : "preview"))
    : null;
  const domain = pick(p, "domain.name", "cert.cns", "dnsNames", "zone", "domain");
  const invoice = pick(p, "invoiceId", "externalInvoiceId");
  const error = pick(p, "deployment.errorMessage", "errorReason", "lastError");
  const fields: (Fact | null)[] = [
    fact("Project", project),
    fact("Target", target),
    fact("Branch", pick(meta, "githubCommitRef", "gitlabCommitRef", "bitbucketCommitRef", "branch")),
    fact(
      "Author",
      pick(meta, "githubCommitAuthorName", "gitlabCommitAuthorName", "bitbucketCommitAuthorName"),
    ),
    fact(
      "Commit",
      pick(meta, "githubCommitSha", "gitlabCommitSha", "bitbucketCommitSha")?.slice(0, 7) ?? null,
    ),
    fact("Deployment", pick(d, "url", "id")),
    fact("Domain", domain),
    fact("Check", pick(p, "check.name", "checkRun.name")),
    fact("Rolling release", pick(p, "rollingRelease.state", "rollingRelease.currentStageIndex")),
    fact("Invoice", invoice),
    fact("Total", pick(p, "invoiceTotal", "amount")),
    fact("Installation", pick(p, "configuration.id", "installationId")),
    fact("Destination", type === "switchyard.delivery.failed" ? pick(p, "destination") : null),
    fact("Message", pick(p, "message")),
    fact("Team", pick(p, "team.slug", "team.id") ?? str(e.teamId)),
  ];
  const failedDelivery = type === "switchyard.delivery.failed";
  const subject = failedDelivery
    ? pick(p, "destination")
    : (project ?? domain ?? invoice ?? pick(p, "configuration.id", "installationId"));
  const description = getEventType(type)?.description ?? null;
  let summary = subject ? `${title}: ${subject}` : title;
  if (target) summary += ` (${target})`;
  if (error) summary += `: ${error}`;
  if (!subject && !error && description) summary = `${title}: ${description}`;
  if (failedDelivery) summary = deliveryFailedSummary(title, p);
  return {
    type,
    title,
    emoji,
    severity,
    subject,
    summary,
    fields: fields.filter((f): f is Fact => f !== null),
    commit: pick(meta, "githubCommitMessage", "gitlabCommitMessage", "bitbucketCommitMessage"),
    error,
    url: linkOf(p, d),
    occurredAt: typeof e.createdAt === "number" ? e.createdAt : null,
  };
}

/**
 * Switchyard's own alert in a sentence a person can act on: which destination gave up on which
 * event, after how many attempts, and its last answer.
 */
function deliveryFailedSummary(title: string, p: Json): string {
  const destination = pick(p, "destination") ?? "a destination";
  const event = [pick(p, "eventType"), pick(p, "eventId")].filter(Boolean).join(" ") || "an event";
  const attempts = pick(p, "attempts");
  const status = pick(p, "lastStatus");
  const last = pick(p, "lastError") ?? (status ? `HTTP ${status}` : null);
  return `${title}: ${destination} gave up on ${event}${attempts ? ` after ${attempts} attempt${attempts === "1" ? "" : "s"}` : ""}${last ? ` (last: ${last})` : ""}`;
}

function fact(label: string, value: string | null): Fact | null {
  return value === null ? null : { label, value };
}

function linkOf(p: Json, d: Json): string | null {
  const link = pick(p, "links.deployment", "links.project") ?? pick(d, "inspectorUrl");
  if (link && /^https?:\/\//.test(link)) return link;
  const host = pick(d, "url");
  return host ? `https://${host.replace(/^https?:\/\//, "")}` : null;
}
