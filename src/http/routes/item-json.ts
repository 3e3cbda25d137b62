const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** When an item was created and last changed through the API (null for the config file's). */
export function itemTimes(item: { createdAt: number | null; updatedAt: number | null }) {
  return { createdAt: iso(item.createdAt), updatedAt: iso(item.updatedAt) };
}

/**
 * The answer to a create or update that set secrets: the item, and its secrets in clear under
 * `secrets`, this once. They are kept sealed and never shown again.
 */
export function withSecrets<T extends object>(json: T, secrets: readonly string[] | undefined): T {
  return secrets ? { ...json, secrets: [...secrets] } : json;
}
