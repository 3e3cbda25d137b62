/**
 * JSON text nested to any depth. A body is stored as received, whatever its depth; what is parsed
 * of it (to classify and route it) and what is checked before it is served must not recurse, or a
 * body 100k levels deep would throw RangeError where it is read. JSON.parse is used first (V8's
 * parser does not recurse), and when it throws anything but a SyntaxError, `parseShallow` walks
 * the text with a stack of its own.
 */

/** How many levels of a body `parseShallow` builds when JSON.parse could not take it whole. */
export const MAX_PARSED_DEPTH = 512;

/** A parsed body, and whether levels deeper than MAX_PARSED_DEPTH were left out. */
export interface ParsedBody {
  value: unknown;
  truncated: boolean;
}

/** Parses a body for classification and routing; null when it is not JSON. Never recurses, never throws. */
export function parseBody(text: string): ParsedBody | null {
  try {
    return { value: JSON.parse(text), truncated: false };
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    // A parser out of stack (or memory for a value it was building): what is shallow still counts.
    return parseShallow(text, MAX_PARSED_DEPTH);
  }
}

/** Whether `text` is one JSON value (RFC 8259), at any depth, checked without recursion. */
export function isJsonText(text: string): boolean {
  return parseShallow(text, 0) !== null;
}

interface Frame {
  kind: "object" | "array";
  /** The container being filled, or null below the depth kept. */
  holder: Record<string, unknown> | unknown[] | null;
  /** The key the next value of an object goes under. */
  key: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const LITERALS = [
  ["true", true],
  ["false", false],
  ["null", null],
] as const;

/**
 * Parses JSON text with a stack of its own, building containers `maxDepth` levels deep; a deeper
 * one is still checked but stands as an empty container of its kind. Null when the text is not
 * JSON. Strings and numbers are recognised by hand, not by one regular expression over the text,
 * whose backtracking could itself run out of stack on a long string.
 */
export function parseShallow(text: string, maxDepth: number): ParsedBody | null {
  const n = text.length;
  const stack: Frame[] = [];
  let i = 0;
  let root: unknown;
  let truncated = false;

  const skipSpace = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };
  const building = () => {
    const top = stack.at(-1);
    return top === undefined || top.holder !== null;
  };
  /** Puts a finished value where it belongs: in the open container, or as the root. */
  const put = (value: unknown) => {
    const top = stack.at(-1);
    if (top === undefined) root = value;
    else if (top.holder === null) return;
    else if (Array.isArray(top.holder)) top.holder.push(value);
    // As JSON.parse does, "__proto__" is an own key, not the object's prototype.
    else
      Object.defineProperty(top.holder, top.key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
  };
  /** Reads a string at `i` (a `"`); undefined when malformed. Decodes it only when `decode`. */
  const readString = (decode: boolean): string | undefined => {
    const start = i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        if (!decode) return "";
        return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
      }
      if (c === 0x5c) {
        escaped = true;
        const e = text[i + 1] ?? "";
        if (e === "u") {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return undefined;
          i += 6;
        } else if (SIMPLE_ESCAPES.has(e)) {
          i += 2;
        } else {
          return undefined;
        }
        continue;
      }
      if (c < 0x20) return undefined;
      i++;
    }
    return undefined;
  };
  /** Reads a scalar at `i`; `{ ok: false }` when there is none. */
  const readScalar = (decode: boolean): { ok: true; value: unknown } | { ok: false } => {
    const c = text[i];
    if (c === '"') {
      const s = readString(decode);
      return s === undefined ? { ok: false } : { ok: true, value: s };
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { ok: true, value };
      }
    }
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match === null) return { ok: false };
    i += match[0].length;
    return { ok: true, value: decode ? Number(match[0]) : 0 };
  };
  /** Opens a container at `i`; its holder is null past `maxDepth`, and an empty one stands for it. */
  const open = (kind: "object" | "array") => {
    i++;
    const keep = building() && stack.length < maxDepth;
    if (!keep && building()) {
      truncated = true;
      put(kind === "object" ? {} : []);
    }
    stack.push({ kind, holder: keep ? (kind === "object" ? {} : []) : null, key: "" });
  };
  const close = () => {
    i++;
    const frame = stack.pop() as Frame;
    if (frame.holder !== null) put(frame.holder);
  };
  /** After `{` or `,` in an object: a key and its colon; false when malformed. */
  const readKey = (): boolean => {
    skipSpace();
    if (text[i] !== '"') return false;
    const key = readString(building());
    if (key === undefined) return false;
    (stack.at(-1) as Frame).key = key;
    skipSpace();
    if (text[i] !== ":") return false;
    i++;
    return true;
  };

  // Each turn reads one value, then every `}`, `]` and `,` that follows it.
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === "{" || c === "[") {
      open(c === "{" ? "object" : "array");
      skipSpace();
      const end = c === "{" ? "}" : "]";
      if (text[i] !== end) {
        if (c === "{" && !readKey()) return null;
        continue;
      }
      close();
    } else {
      const scalar = readScalar(building());
      if (!scalar.ok) return null;
      put(scalar.value);
    }
    // After a value: close what ends here, until a comma asks for the next value.
    for (;;) {
      skipSpace();
      const top = stack.at(-1);
      if (top === undefined) {
        if (i !== n) return null;
        return { value: root, truncated };
      }
      const next = text[i];
      if (next === ",") {
        i++;
        if (top.kind === "object" && !readKey()) return null;
        break;
      }
      if (next === (top.kind === "object" ? "}" : "]")) {
        close();
        continue;
      }
      return null;
    }
  }
}
