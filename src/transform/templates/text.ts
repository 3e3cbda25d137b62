import { z } from "zod";
import type { EventFacts } from "./facts.js";

export const textOptions = z.strictObject({
  /** Put before every line, e.g. `[vercel]`. */
  prefix: z.string().default(""),
  /** Add the link, when the event has one. */
  link: z.boolean().default(true),
});

/** One line of plain text, for chat bridges, logs and SMS gateways. */
export function renderText(facts: EventFacts, options: z.output<typeof textOptions>): string {
  const parts = [
    options.prefix,
    facts.summary,
    facts.commit ? `"${facts.commit}"` : "",
    options.link ? (facts.url ?? "") : "",
  ];
  return parts
    .filter((p) => p !== "")
    .join(" ")
    .replace(/[\r\n]+/g, " ");
}
