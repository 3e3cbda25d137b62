import { z } from "zod";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses a duration such as `500ms`, `30s`, `5m`, `24h` or `30d` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const factor = UNITS[unit as string];
  if (factor === undefined) return undefined;
  return Math.round(Number(amount) * factor);
}

/** Formats milliseconds as the largest whole unit that represents them exactly (`86400000` → `1d`). */
export function formatDuration(ms: number): string {
  // Zero reads as a schedule's "at once", written as the config writes it.
  if (ms === 0) return "0s";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const factor = UNITS[unit] as number;
    if (ms >= factor && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration written as `30s`, `5m`, `24h`, `30d`; parsed to milliseconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 30s, 5m, 24h or 7d, got "${text}"`,
    });
    return z.NEVER;
  }
  return ms;
});
