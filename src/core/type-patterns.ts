/** Tests an event's canonical and original type against a route's `types:` list. */
export type TypeMatcher = (type: string, originalType: string) => boolean;

/**
 * Whether `text` matches `glob`, where `*` stands for any run of characters (dots included).
 * The classic two-pointer walk: it backtracks only to the latest `*`, so it is O(text × glob) at worst
 * and needs no regular expression built from config text.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] === "*") {
      starAt = g++;
      resumeAt = t;
    } else if (g < glob.length && glob[g] === text[t]) {
      g++;
      t++;
    } else if (starAt !== -1) {
      g = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

/**
 * Compiles a `types:` list. Exact entries are normalised to the canonical spelling, so either of
 * Vercel's spellings of a type matches; globs are tried against both the canonical and the original
 * type and every other spelling of it, so `domain.certificate.*` matches `domain.certificate-add`
 * however Vercel spelled it.
 */
export function compileTypePatterns(
  patterns: readonly string[],
  normalize: (t: string) => string,
  spellings: (canonical: string) => readonly string[] = (t) => [t],
): TypeMatcher {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.includes("*")) globs.push(pattern);
    else exact.add(normalize(pattern));
  }
  return (type, originalType) =>
    exact.has(type) ||
    exact.has(originalType) ||
    globs.some(
      (glob) => globMatches(glob, originalType) || spellings(type).some((s) => globMatches(glob, s)),
    );
}

/** The longest type filter a list or stream takes (Vercel's longest type is under 60 characters). */
export const MAX_TYPE_FILTER = 200;

/**
 * What is wrong with a type filter (an exact type or a glob) of the events list or stream, or
 * null: types are dotted names, so a space or a control character is a typo, never a match.
 */
export function typeFilterProblem(text: string): string | null {
  if (text.length > MAX_TYPE_FILTER) return `type must be at most ${MAX_TYPE_FILTER} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\s\u0000-\u001f\u007f]/.test(text))
    return "type must be an event type or a glob such as deployment.* (no spaces or control characters)";
  return null;
}
