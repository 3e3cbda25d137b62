/** The shapes the fake Vercel shares between its origins and with whoever drives it. */
import type { IncomingMessage } from "node:http";

/** One request either origin received. */
export interface RecordedRequest {
  origin: "site" | "api";
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: string;
}

/** An installation and the code that completes it, as the Redirect URL would receive. */
export interface Grant {
  code: string;
  configurationId: string;
  teamId: string | null;
  userId: string;
  /** The token the exchange of any code of this installation answers. */
  accessToken: string;
}

/** What the next API call answers instead of its own answer. */
export interface Failure {
  status: number;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
  /** Only a call whose `METHOD /path` starts with this takes it; other calls pass it by. */
  on?: string;
  /** The call is done first, then this is answered instead: an answer lost on its way back. */
  afterDoing?: boolean;
}

/** A team the fake's user belongs to: a scope the install page offers beside the personal account. */
export interface FakeTeam {
  id: string;
  name: string;
}

/** An installation as the fake's dashboard knows it (its token stays inside). */
export interface InstallationView {
  configurationId: string;
  /** The team installed into, or null for the personal account. */
  teamId: string | null;
  /** Whether it was uninstalled (or its configuration deleted through the API). */
  removed: boolean;
}

/** Which installation an event is sent for: by configuration, or by scope; the latest active one by default. */
export interface SendTarget {
  configurationId?: string;
  /** A team id, or null for the personal account. */
  teamId?: string | null;
  /** The project the event names; the scope's first project (if any) by default. */
  projectId?: string;
}

/** An event the fake sent to a Webhook URL, and what came of it. */
export interface SentEvent {
  id: string;
  type: string;
  configurationId: string;
  /** The answer's status, or null when the request failed. */
  status: number | null;
  /** Why the request failed, when it did. */
  error: string | null;
}
