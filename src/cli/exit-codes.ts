/**
 * The CLI's exit codes. A script can tell "the answer is no" (a route did not match, a request was
 * refused) from "it could not be asked" (bad arguments, no server, no credentials).
 */
export const EXIT = {
  ok: 0,
  /** It ran and the answer is no: a route did not match, the server refused, an event was not accepted. */
  no: 1,
  /** It could not run: bad arguments or configuration, no credentials, the server not reachable. */
  couldNotRun: 2,
} as const;

/** An error the CLI prints as its message alone (no stack), exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.couldNotRun,
  ) {
    super(message);
    this.name = "CliError";
  }
}
