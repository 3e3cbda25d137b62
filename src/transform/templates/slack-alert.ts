import { z } from "zod";
import type { EventFacts } from "./facts.js";
import { COLORS, clip } from "./format.js";

export const slackAlertOptions = z.strictObject({
  channel: z.string().min(1).optional(),
  username: z.string().min(1).default("Vercel Bot"),
  iconEmoji: z.string().min(1).default(":warning:"),
});

const ATTACHMENT_COLOR = {
  failure: "danger",
  warning: "warning",
  success: "good",
  info: COLORS.info,
} as const;

/** A Slack message with one legacy attachment, in the style of Hookbase's failed-deployment alert. */
export function renderSlackAlert(facts: EventFacts, options: z.output<typeof slackAlertOptions>): object {
  const short = new Set(["Branch", "Target", "Author", "Project", "Commit", "Team", "Installation"]);
  const fields = facts.fields.map((f) => ({
    title: f.label,
    value: clip(f.value, 2000),
    short: short.has(f.label),
  }));
  if (facts.commit) fields.push({ title: "Commit message", value: clip(facts.commit, 2000), short: false });
  if (facts.error) fields.push({ title: "Error", value: clip(facts.error, 2000), short: false });
  const title = facts.subject ? `${facts.title}: ${facts.subject}` : facts.title;
  return {
    ...(options.channel ? { channel: options.channel } : {}),
    username: options.username,
    icon_emoji: options.iconEmoji,
    attachments: [
      {
        fallback: clip(facts.summary, 3000),
        color: ATTACHMENT_COLOR[facts.severity],
        title: clip(title, 250),
        ...(facts.url ? { title_link: facts.url } : {}),
        fields,
        footer: facts.type,
        ...(facts.occurredAt !== null ? { ts: Math.floor(facts.occurredAt / 1000) } : {}),
      },
    ],
  };
}
