import { DELIVERY_FAILED, sampleDeliveryFailedAlert } from "../delivery/alerts.js";
import { getEventType, sampleEvent } from "../vercel/index.js";
import { CliError } from "./exit-codes.js";
import { setPath } from "./set-path.js";

/**
 * A realistic sample of a catalog type (a new event id each time), or of Switchyard's own alert
 * (`switchyard.delivery.failed`), with each `--set path=value` applied.
 */
export function sampleWith(type: string, assignments: readonly string[] = []): Record<string, unknown> {
  let event: Record<string, unknown>;
  if (type === DELIVERY_FAILED) event = sampleDeliveryFailedAlert(Date.now());
  else if (getEventType(type) !== undefined) event = sampleEvent(type) as Record<string, unknown>;
  else throw new CliError(`unknown event type "${type}": \`switchyard catalog\` lists them`);
  for (const assignment of assignments) setPath(event, assignment);
  return event;
}
