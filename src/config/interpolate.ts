const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `${VAR}` that names an unset variable and gives no default. */
export interface MissingVariable {
  path: string;
  variable: string;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree (not in the raw
 * text, so a value can never inject YAML). `$${` escapes a literal `${`.
 */
export function interpolate(
  node: unknown,
  env: Record<string, string | undefined>,
  missing: MissingVariable[],
  path = "",
): unknown {
  if (typeof node === "string") {
    const escaped = node.split("$${");
    return escaped
      .map((part) =>
        part.replace(REFERENCE, (_all, name: string, fallback: string | undefined) => {
          const value = env[name];
          if (value !== undefined && value !== "") return value;
          if (fallback !== undefined) return fallback;
          missing.push({ path, variable: name });
          return "";
        }),
      )
      .join("${");
  }
  if (Array.isArray(node)) return node.map((item, i) => interpolate(item, env, missing, `${path}[${i}]`));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        interpolate(value, env, missing, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return node;
}
