import type { VercelDeployment } from "../integration/vercel-api.js";
import type { ActionRun } from "../storage/actions-port.js";
import type { Installation } from "../storage/port.js";

/** What a start phase may use: the run, its installation, its deployment, and a way to say what it does. */
export interface StartContext {
  run: ActionRun;
  installation: Installation;
  /** The deployment, read from Vercel with the installation's token (once, then kept). */
  deployment(): Promise<VercelDeployment>;
  /** The start event's raw bytes, as Vercel sent them. */
  eventBody(): Promise<Uint8Array>;
  /** Aborted when the run is canceled or times out. */
  signal: AbortSignal;
  /** Adds a line to the run's steps. */
  step(text: string): Promise<void>;
}

/** What a start made: kept for cancel and cleanup, and the resource secrets reported to Vercel. */
export interface StartResult {
  made: Record<string, unknown> | null;
  secrets: { name: string; value: string }[];
  statusText?: string;
}

/** An action's work for one kind: start it, undo it, clean it up. */
export interface ActionExecutor {
  /** The status text reported while the start runs. */
  readonly runningText: string;
  start(context: StartContext): Promise<StartResult>;
  /** Undoes what this run made, unless `stillUsed` (another live deployment holds it). */
  cancel(run: ActionRun, stillUsed: boolean): Promise<void>;
  /** Drops what this run made, unless `stillUsed`. */
  cleanup(run: ActionRun, stillUsed: boolean): Promise<void>;
  /** The key of `made` that names what runs may share (a branch database), if any. */
  readonly sharedKey: string | null;
  close(): Promise<void>;
}

/** A failure a person can act on: its message is the `statusText` Vercel shows. */
export class ActionFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActionFailure";
  }
}
