import { z } from "zod";
import type { EventFacts, Severity } from "./facts.js";
import { clip, isoTime } from "./format.js";

export const teamsOptions = z.strictObject({
  /** Adaptive Card schema version; 1.4 renders in Teams' incoming webhooks and Workflows. */
  version: z.enum(["1.2", "1.3", "1.4", "1.5"]).default("1.4"),
});

const COLOR: Record<Severity, string> = {
  success: "Good",
  failure: "Attention",
  warning: "Warning",
  info: "Accent",
};

/** A Teams incoming-webhook message carrying one Adaptive Card: title, summary, facts, a link. */
export function renderTeams(facts: EventFacts, options: z.output<typeof teamsOptions>): object {
  const body: object[] = [
    {
      type: "TextBlock",
      text: clip(facts.subject ? `${facts.title}: ${facts.subject}` : facts.title, 200),
      weight: "Bolder",
      size: "Medium",
      color: COLOR[facts.severity],
      wrap: true,
    },
    { type: "TextBlock", text: clip(facts.summary, 2000), wrap: true, isSubtle: true, spacing: "None" },
  ];
  const rows = facts.fields.map((f) => ({ title: f.label, value: clip(f.value, 500) }));
  if (facts.commit) rows.push({ title: "Commit message", value: clip(facts.commit, 500) });
  if (rows.length > 0) body.push({ type: "FactSet", facts: rows });
  const when = isoTime(facts.occurredAt);
  body.push({
    type: "TextBlock",
    text: `${facts.type}${when ? ` · ${when}` : ""}`,
    isSubtle: true,
    size: "Small",
    wrap: true,
  });
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: options.version,
    body,
    ...(facts.url ? { actions: [{ type: "Action.OpenUrl", title: "Open in Vercel", url: facts.url }] } : {}),
  };
  return {
    type: "message",
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
    ],
  };
}
