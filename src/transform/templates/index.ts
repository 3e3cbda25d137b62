import type { z } from "zod";
import { discordOptions, renderDiscord } from "./discord.js";
import { factsOf } from "./facts.js";
import { renderRow, rowOptions } from "./row.js";
import { renderSlack, slackOptions } from "./slack.js";
import { renderSlackAlert, slackAlertOptions } from "./slack-alert.js";
import { renderTeams, teamsOptions } from "./teams.js";
import { renderText, textOptions } from "./text.js";

/** A built-in template: trusted code, so it runs in-process, not in the sandbox. */
interface Template {
  options: z.ZodType;
  /** An object is sent as JSON, a string as text/plain. */
  render(event: unknown, options: never): object | string;
}

function template<S extends z.ZodType>(
  options: S,
  render: (event: unknown, options: z.output<S>) => object | string,
): Template {
  return { options, render: render as Template["render"] };
}

/** Every built-in template by name. */
export const templates = {
  slack: template(slackOptions, (e, o) => renderSlack(factsOf(e), o)),
  "slack-alert": template(slackAlertOptions, (e, o) => renderSlackAlert(factsOf(e), o)),
  discord: template(discordOptions, (e, o) => renderDiscord(factsOf(e), o)),
  teams: template(teamsOptions, (e, o) => renderTeams(factsOf(e), o)),
  row: template(rowOptions, (e, o) => renderRow(e, factsOf(e), o)),
  text: template(textOptions, (e, o) => renderText(factsOf(e), o)),
} satisfies Record<string, Template>;

export type TemplateName = keyof typeof templates;
export const TEMPLATE_NAMES = Object.keys(templates) as [TemplateName, ...TemplateName[]];

/** Renders an event with a template whose options were validated by its schema. */
export function renderTemplate(name: TemplateName, event: unknown, options: unknown): object | string {
  const t: Template = templates[name];
  return t.render(event, options as never);
}
