import { z } from "zod";
import type { EventFacts } from "./facts.js";
import { COLORS, clip, isoTime } from "./format.js";

export const discordOptions = z.strictObject({
  username: z.string().min(1).max(80).optional(),
  avatarUrl: z.url().optional(),
});

// Discord's embed limits: title 256, description 4,096, 25 fields (name 256, value 1,024),
// footer 2,048, and 6,000 characters across the embed.
const FIELDS = 25;

/** A Discord webhook message with one embed, coloured by severity. */
export function renderDiscord(facts: EventFacts, options: z.output<typeof discordOptions>): object {
  const description = [facts.summary, facts.commit ? `**Commit:** ${facts.commit}` : null]
    .filter(Boolean)
    .join("\n");
  const embed = {
    title: clip(`${facts.title}${facts.subject ? `: ${facts.subject}` : ""}`, 256),
    description: clip(description, 2000),
    ...(facts.url ? { url: facts.url } : {}),
    color: Number.parseInt(COLORS[facts.severity].slice(1), 16),
    fields: facts.fields.slice(0, FIELDS).map((f) => ({
      name: clip(f.label, 256),
      value: clip(f.value, 200),
      inline: f.value.length <= 40,
    })),
    footer: { text: clip(facts.type, 200) },
    ...(facts.occurredAt !== null ? { timestamp: isoTime(facts.occurredAt) } : {}),
  };
  // The whole message must stay within 6,000 characters: drop fields from the end until it does.
  while (embedSize(embed) > 6000 && embed.fields.length > 0) embed.fields.pop();
  return {
    ...(options.username ? { username: options.username } : {}),
    ...(options.avatarUrl ? { avatar_url: options.avatarUrl } : {}),
    embeds: [embed],
  };
}

function embedSize(e: {
  title: string;
  description: string;
  fields: { name: string; value: string }[];
  footer: { text: string };
}) {
  return (
    e.title.length +
    e.description.length +
    e.footer.text.length +
    e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}
