/** Text styles for a terminal: colors only on a TTY, and never when `NO_COLOR` is set (no-color.org). */
export interface Style {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const COLORED: Style = {
  green: sgr(32, 39),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

const same = (text: string) => text;
const PLAIN: Style = { green: same, red: same, yellow: same, dim: same, bold: same };

/** The style for a stream: colored when it is a terminal and `NO_COLOR` is unset or empty. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return stream.isTTY && !env.NO_COLOR ? COLORED : PLAIN;
}

/** `12:34:56.789` of an ISO time, in UTC as the server writes it: a line's time, short. */
export function clockTime(iso: string): string {
  return iso.slice(11, 23);
}
