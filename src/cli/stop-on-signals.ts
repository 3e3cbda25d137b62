import type { Logger } from "pino";

/** On the first SIGTERM or SIGINT (Ctrl-C), runs `close` and exits: 0 when it closed cleanly, 1 when it failed. */
export function stopOnSignals(logger: Logger, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
