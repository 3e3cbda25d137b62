/** Half of a surrogate pair standing alone: JSON can carry one ("\ud800"), UTF-8 cannot. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * `text` with each lone surrogate replaced by U+FFFD, as encoding it to UTF-8 would: the string a
 * database gives back for it. A sender's JSON may escape half a pair; what Switchyard keeps in
 * memory (a dedupe key, a type) must equal what it stores.
 */
export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? Buffer.from(text, "utf8").toString("utf8") : text;
}
