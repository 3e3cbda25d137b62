// The types of hostile-clients.js, which test/hostile/load.test.ts shares with the benchmark.

/** The kinds of hostile client: slow bodies, header trickles, large unsigned or forged bodies, small forged ones. */
export type HostileKind =
  | "slowBodies"
  | "headerTrickles"
  | "unsignedBodies"
  | "forgedBodies"
  | "badSignatures";

/** Running hostile clients. */
export interface HostileClients {
  /** Connections open now. */
  readonly open: number;
  /** How the server has ended connections so far, by kind and status (or `closed`). */
  readonly outcomes: Record<string, Record<string, number>>;
  /** Stops opening connections, ends the open ones, and resolves with how the server ended each, by kind and status. */
  stop(): Promise<Record<string, Record<string, number>>>;
}

/** Starts `counts[kind]` connections of each kind against `url` from `localAddress`, each opened again when it ends. */
export function startHostileClients(
  url: string,
  localAddress: string,
  counts: Partial<Record<HostileKind, number>>,
  options?: { bodyBytes?: number },
): HostileClients;
