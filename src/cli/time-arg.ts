import { parseDuration } from "../core/duration.js";
import { parseIsoDate } from "../core/iso-date.js";
import { CliError } from "./exit-codes.js";

/** A time given as a duration ago (`1h`) or as an ISO 8601 date or time with Z or an offset, as the API takes it. */
export function timeArg(name: string, text: string | undefined, now: number): string | undefined {
  if (text === undefined) return undefined;
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now - ago).toISOString();
  if (parseIsoDate(text) !== undefined) return text;
  throw new CliError(
    `--${name} expects a duration (1h, 30m) or an ISO 8601 date or time with Z or an offset, got "${text}"`,
  );
}
