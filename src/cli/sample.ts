import { sampleOfType } from "../delivery/alerts.js";
import { CliError } from "./exit-codes.js";
import { setPath } from "./set-path.js";

/**
 * A realistic sample of a catalog type (a new event id each time), or of Switchyard's own alert
 * (`switchyard.delivery.failed`), with each `--set path=value` applied.
 */
export function sampleWith(type: string, assignments: readonly string[] = []): Record<string, unknown> {
  const event = sampleOfType(type, Date.now());
  if (!event) throw new CliError(`unknown event type "${type}": \`switchyard catalog\` lists them`);
  for (const assignment of assignments) setPath(event, assignment);
  return event;
}
