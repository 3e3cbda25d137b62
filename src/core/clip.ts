/** How long an error message may be where it is shown or stored (an attempt's log, `lastError`). */
export const MAX_MESSAGE = 300;

/**
 * `text` cut to at most `max` characters; a longer one ends with "…" and a note of its full
 * length (`fullLength` when only the start of the text is at hand).
 */
export function clipText(text: string, max = MAX_MESSAGE, fullLength = text.length): string {
  if (fullLength <= max && text.length <= max) return text;
  const note = `… (${fullLength} characters in all)`;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}
