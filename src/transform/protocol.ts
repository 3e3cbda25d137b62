import type { SandboxLimits } from "./sandbox.js";

/**
 * The messages between Switchyard and its sandbox process (see frames.ts for the framing). The
 * process answers every request, in the order it got them; a `run` carries the event's raw bytes
 * as its payload, a `compile` the code, and an answer of kind `json` or `text` the output.
 */
export type HostRequest =
  | { id: number; op: "compile"; tenant: string; route: string; filename: string }
  | { id: number; op: "run"; tenant: string; route: string; meta: object }
  | { id: number; op: "drop"; tenant: string; route: string | null };

export type HostReply =
  | { id: number; kind: "ok" }
  | { id: number; kind: "compile_error"; message: string; line: number | null }
  | { id: number; kind: "json" | "text" | "skip" }
  | { id: number; kind: "error"; message: string; line: number | null };

/** A request or reply before its id is given (each kind keeps its own fields). */
export type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** Why the watchdog ended the sandbox process, as it reports it before the kill. */
export type KillReason = "memory" | "cpu";

/** What the sandbox process is started with (one JSON argument). */
export interface HostSettings {
  limits: SandboxLimits;
  /** The CPU time, in ms, past which a call of a transform is stopped by killing the process. */
  hardCpuMs: number;
  /** The same for a compile, which also locks the route's new context down (tens of ms). */
  hardCompileCpuMs: number;
  /** The growth of the process's resident memory during one call past which it is killed, in bytes. */
  hardMemoryBytes: number;
}

/** The file descriptors of the sandbox process: requests and replies, and the watchdog's report. */
export const CHANNEL_FD = 3;
export const REPORT_FD = 4;
