import type { Severity } from "./facts.js";

/** Cuts `text` to at most `max` characters, ending with an ellipsis when it was longer. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An ISO 8601 time, or null. */
export function isoTime(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** The hex colour of each severity, shared by Slack attachments, Discord embeds and Teams. */
export const COLORS: Record<Severity, string> = {
  success: "#2ecc71",
  failure: "#e74c3c",
  warning: "#f39c12",
  info: "#3498db",
};
