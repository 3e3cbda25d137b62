import { z } from "zod";
import type { EventFacts } from "./facts.js";
import { clip, slackEscape } from "./format.js";

export const slackOptions = z.strictObject({
  channel: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  iconEmoji: z.string().min(1).optional(),
});

// Block Kit limits: header text 150 characters, a section's text 3,000, each of its (at most
// ten) fields 2,000, a context element 3,000.
const HEADER = 150;
const FIELD = 2000;
const TEXT = 3000;

/** A Slack Block Kit message: header, a section of fields, the commit, and a link (Hookbase's layout). */
export function renderSlack(facts: EventFacts, options: z.output<typeof slackOptions>): object {
  const blocks: object[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(`${facts.emoji} ${facts.title}`, HEADER), emoji: true },
    },
  ];
  const fields = facts.fields.slice(0, 10).map((f) => ({
    type: "mrkdwn",
    text: clip(`*${f.label}:*\n${slackEscape(f.value)}`, FIELD),
  }));
  if (fields.length > 0) blocks.push({ type: "section", fields });
  const lines = [
    facts.commit ? `*Commit:* ${slackEscape(facts.commit)}` : null,
    facts.error ? `*Error:* ${slackEscape(facts.error)}` : null,
    fields.length === 0 ? slackEscape(facts.summary) : null,
  ].filter((l): l is string => l !== null);
  if (lines.length > 0)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(lines.join("\n"), TEXT) } });
  const context = [facts.url ? `<${facts.url}|View ${linkLabel(facts.type)}>` : null, `\`${facts.type}\``]
    .filter(Boolean)
    .join(" | ");
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clip(context, TEXT) }] });
  return {
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.iconEmoji ? { icon_emoji: options.iconEmoji } : {}),
    // The notification text, shown where blocks cannot be (push notifications, screen readers).
    text: clip(facts.summary, TEXT),
    blocks,
  };
}

function linkLabel(type: string): string {
  return type.startsWith("deployment") ? "Deployment" : "in Vercel";
}
