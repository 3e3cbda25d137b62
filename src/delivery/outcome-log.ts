import type { Logger } from "pino";
import type { DeliveryWorker } from "./worker.js";

/**
 * Logs what the worker's outcomes mean for a person: a failed attempt (`info`, with when it is
 * tried again), a dead letter and a circuit that opens (`warn`), a circuit that closes (`info`), a
 * success (`debug`). Each line names the event, the delivery and the destination; never a body.
 */
export function logDeliveryOutcomes(worker: DeliveryWorker, logger: Logger): void {
  worker.on("outcome", (outcome, delivery) => {
    // Successes and skips are logged at debug only: most of the time there is nothing to build.
    const quiet = outcome.status === "succeeded" || outcome.status === "skipped";
    if (quiet && !logger.isLevelEnabled("debug")) return;
    const attempt = outcome.attempt;
    const fields = {
      tenant: delivery.tenant,
      destination: delivery.destination,
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      type: delivery.eventType,
      ...(attempt
        ? {
            attempt: attempt.number,
            trigger: attempt.trigger,
            durationMs: attempt.durationMs,
            ...(attempt.status !== null ? { status: attempt.status } : {}),
            ...(attempt.error !== null ? { error: attempt.error, errorMessage: attempt.errorMessage } : {}),
          }
        : {}),
    };
    switch (outcome.status) {
      case "succeeded":
        logger.debug(fields, "delivered");
        return;
      case "pending":
        logger.info(
          {
            ...fields,
            nextAttemptAt:
              outcome.nextAttemptAt === null ? null : new Date(outcome.nextAttemptAt).toISOString(),
          },
          "delivery attempt failed, will retry",
        );
        return;
      case "failed":
        logger.warn(
          { ...fields, lastStatus: outcome.lastStatus, lastError: outcome.lastError },
          attempt ? "delivery failed for good: dead letter" : "delivery expired unsent: dead letter",
        );
        return;
      case "skipped":
        logger.debug(fields, "delivery skipped: the route's transform sends nothing for this event");
        return;
    }
  });
  worker.on("circuit", (change) => {
    const fields = {
      tenant: change.tenant,
      destination: change.destination,
      from: change.from,
      to: change.to,
    };
    if (change.to === "open") logger.warn(fields, "circuit opened: deliveries to the destination pause");
    else logger.info(fields, `circuit ${change.to === "closed" ? "closed: deliveries resume" : change.to}`);
  });
}
