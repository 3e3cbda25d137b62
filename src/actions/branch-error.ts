/**
 * The error a branch operation fails with, and how the server's and the driver's errors become one.
 * The message is shown to a person (Vercel shows it as the action's status text), so it says what
 * to do, stays under 200 characters, and never holds a password: names of databases and roles,
 * the server's host and port, SQLSTATE codes, nothing of the admin URL's credentials.
 */
import { clipText } from "../core/clip.js";

export type BranchErrorCode =
  | "template_busy"
  | "template_missing"
  | "name_clash"
  | "permission_denied"
  | "unreachable"
  | "canceled";

/** A branch could not be made, reused or dropped, for a reason a person can act on. */
export class BranchError extends Error {
  override readonly name = "BranchError";

  constructor(
    readonly code: BranchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(clipText(message, MAX_BRANCH_MESSAGE), options);
  }
}

/** Vercel shows the status text in a narrow space; the messages here are written well under it. */
export const MAX_BRANCH_MESSAGE = 200;

/** Where in an operation an error came from: the same SQLSTATE means different things at each. */
export type BranchStage =
  | "connect"
  | "look-up"
  | "preflight"
  | "role"
  | "database"
  | "ownership"
  | "seal"
  | "drop";

/** What a message may name. */
export interface BranchContext {
  stage: BranchStage;
  name: string;
  template: string;
  /** `host:port` of the server, never its credentials. */
  server: string;
  /** The admin URL's user, when it names one. */
  adminUser: string | null;
}

// The server cannot be reached or cannot take a session now: refused, reset, timed out, shutting
// down (57P01-03), out of connection slots (53300), any connection exception (08).
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

function codeOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** The server's own words, for a refusal with no more specific message here. */
function serverMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The message for SQLSTATE 42501 (insufficient privilege) at `stage`. */
function privilegeMessage(context: BranchContext, error: unknown): string {
  const who = context.adminUser === null ? "The admin role" : `The admin role "${context.adminUser}"`;
  switch (context.stage) {
    case "role":
      return `${who} may not create the branch's role: grant it CREATEROLE.`;
    case "database":
      return `${who} may not copy "${context.template}": grant it CREATEDB, and make it the template's owner or mark the template as a template.`;
    case "ownership":
      return `${who} could not hand the template's objects to the branch role: it must own them, or be a superuser.`;
    default:
      return `${who} lacks a privilege: ${serverMessage(error)}`;
  }
}

/**
 * `error` as a BranchError when it is one of the failures a person can act on; null for anything
 * else (a bug, a full disk), which the caller rethrows as it is.
 */
export function branchErrorOf(error: unknown, context: BranchContext, aborted: boolean): BranchError | null {
  if (error instanceof BranchError) return error;
  if (aborted) {
    return new BranchError(
      "canceled",
      "Canceled before the branch was ready; what this attempt had made was removed.",
      {
        cause: error,
      },
    );
  }
  const code = codeOf(error);
  if (code === undefined) return null;
  if (UNREACHABLE.has(code) || code.startsWith("08")) {
    return new BranchError("unreachable", `PostgreSQL at ${context.server} cannot be reached (${code}).`, {
      cause: error,
    });
  }
  if (code === "28P01" || code === "28000") {
    return new BranchError(
      "permission_denied",
      `PostgreSQL at ${context.server} refused the admin login (${code}): check the admin URL's user and password.`,
      { cause: error },
    );
  }
  if (code === "42501") {
    return new BranchError("permission_denied", privilegeMessage(context, error), { cause: error });
  }
  if (code === "3D000" && context.stage === "connect") {
    return new BranchError(
      "unreachable",
      `The admin URL's database does not exist on PostgreSQL at ${context.server}.`,
      { cause: error },
    );
  }
  if (code === "3D000" && context.stage === "database") return templateMissing(context.template, error);
  // Made meanwhile by something that does not take the branch lock: not Switchyard's.
  if (code === "42P04" || code === "42710") {
    const kind = code === "42P04" ? "database" : "role";
    return new BranchError(
      "name_clash",
      `A ${kind} "${context.name}" was made meanwhile by someone else; Switchyard leaves it untouched.`,
      { cause: error },
    );
  }
  if (code === "55006" && context.stage === "database") return templateBusy(context.template, error);
  return null;
}

/** The template database is not there. */
export function templateMissing(template: string, cause?: unknown): BranchError {
  return new BranchError(
    "template_missing",
    `The template database "${template}" does not exist: create it, or change the template setting.`,
    { cause },
  );
}

/** Other sessions are connected to the template, and PostgreSQL copies a database only when none is. */
export function templateBusy(template: string, cause?: unknown): BranchError {
  return new BranchError(
    "template_busy",
    `The template database "${template}" is in use: close every connection to it, then retry.`,
    { cause },
  );
}
