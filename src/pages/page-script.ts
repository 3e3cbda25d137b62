import { inlineHash } from "./inline-hash.js";

/**
 * A few lines of script a page runs inline, and the CSP source that allows exactly that text.
 * Pages work without it (every link and form is plain HTML); a script only adds to them, such as
 * live updates.
 */
export interface PageScript {
  readonly text: string;
  readonly hash: string;
}

/** A page script from its text (an ES module body: it runs once the page is parsed). */
export function pageScript(text: string): PageScript {
  return { text, hash: inlineHash(text) };
}
