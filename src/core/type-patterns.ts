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
