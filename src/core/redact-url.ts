/**
 * URLs as Switchyard shows them: in API answers, logs, error messages and `switchyard doctor`.
 * Webhook URLs are often the only credential a receiver checks (Slack, Discord, Teams), so
 * anything that may carry one is replaced by `[redacted]`: the user and password, every query
 * value, the fragment, the token segments of known webhook hosts' paths, and any path segment
 * that looks like a token. Pure: no I/O.
 */

export const REDACTED = "[redacted]";

/** A known webhook host, and how its path's segments (after the host) are shown. */
interface WebhookHost {
  host: (hostname: string) => boolean;
  redact: (segments: readonly string[]) => string[];
}

const hide = (segments: readonly string[], secret: (i: number) => boolean) =>
  segments.map((seg, i) => (seg !== "" && secret(i) ? REDACTED : seg));

/** Every segment from index `from` on. */
const hideFrom = (from: number) => (s: readonly string[]) => hide(s, (i) => i >= from);

/** The last non-empty segment, when there is more than one (`/hooks/catch/1/TOKEN/`). */
const hideLast = (s: readonly string[]) => {
  const at = s.findLastIndex((seg) => seg !== "");
  return hide(s, (i) => i === at && at > 0);
};

/** The segment `offset` places after the first one named `marker`. */
const hideAfter = (marker: string, offset: number) => (s: readonly string[]) => {
  const at = s.indexOf(marker);
  return hide(s, (i) => at >= 0 && (offset === Infinity ? i > at : i === at + offset));
};

const domain = (name: string) => (h: string) => h === name || h.endsWith(`.${name}`);

const WEBHOOK_HOSTS: readonly WebhookHost[] = [
  // /services/T…/B…/TOKEN, /workflows/T…/A…/ID/TOKEN, /triggers/T…/ID/TOKEN
  { host: (h) => h === "hooks.slack.com", redact: hideLast },
  // /api[/vN]/webhooks/ID/TOKEN[/slack|/github], on discord.com, discordapp.com, canary. and ptb.
  { host: (h) => domain("discord.com")(h) || domain("discordapp.com")(h), redact: hideAfter("webhooks", 2) },
  // Teams connectors: /webhookb2/GROUP@TENANT/IncomingWebhook/HASH/CONNECTOR[/…]; /webhook/… on outlook
  { host: (h) => domain("webhook.office.com")(h) || h === "outlook.office.com", redact: hideFrom(1) },
  // /hooks/catch/ACCOUNT/TOKEN/
  { host: (h) => h === "hooks.zapier.com", redact: hideLast },
  // hook.eu1.make.com/TOKEN
  { host: (h) => /^hook\.([a-z0-9-]+\.)?make\.com$/.test(h), redact: hideFrom(0) },
  // /trigger/EVENT/with/key/KEY
  { host: (h) => h === "maker.ifttt.com", redact: hideAfter("key", Infinity) },
  // /bot<TOKEN>/sendMessage
  {
    host: (h) => h === "api.telegram.org",
    redact: (s) => s.map((seg) => (seg.startsWith("bot") ? `bot${REDACTED}` : seg)),
  },
];

/**
 * A token-like segment on any host (self-hosted receivers put random ids in paths too). Of 16+
 * URL-safe characters: hex with digits in it (UUIDs, hashes); or switching often between letters
 * and digits or from lower to upper case, as random tokens do and words (`WebhookHandlerV2`,
 * `deployment-notifications`) do not; or 20+ characters with 2+ digits, in both cases or without
 * separators. A heuristic: known hosts above are exact.
 */
function looksLikeToken(segment: string): boolean {
  if (segment.length < 16 || !/^[A-Za-z0-9._~+=-]+$/.test(segment)) return false;
  if (/^[0-9a-fA-F-]+$/.test(segment) && /\d/.test(segment) && /[a-fA-F]/.test(segment)) {
    return segment.replaceAll("-", "").length >= 16;
  }
  const kind = (c: string) =>
    /[a-z]/.test(c) ? "lower" : /[A-Z]/.test(c) ? "upper" : /\d/.test(c) ? "digit" : null;
  let switches = 0;
  for (let i = 1; i < segment.length; i++) {
    const a = kind(segment[i - 1] as string);
    const b = kind(segment[i] as string);
    // Upper to lower is how every capitalised word goes on, so it does not count.
    if (a !== null && b !== null && a !== b && !(a === "upper" && b === "lower")) switches++;
  }
  if (switches >= Math.max(4, segment.length / 5)) return true;
  const digits = segment.replace(/\D/g, "").length;
  const bothCases = /[A-Z]/.test(segment) && /[a-z]/.test(segment);
  return segment.length >= 20 && digits >= 2 && (bothCases || /^[A-Za-z0-9]+$/.test(segment));
}

/** The path's segments with every secret one (a known host's token, or a token-like one) redacted. */
function redactSegments(hostname: string, segments: readonly string[]): string[] {
  const known = WEBHOOK_HOSTS.find((w) => w.host(hostname))?.redact(segments) ?? segments;
  return known.map((seg) => (looksLikeToken(seg) ? REDACTED : seg));
}

/** A URL or request target (`/path?q=v`, read against a placeholder origin), or null. */
function parse(text: string): { url: URL; relative: boolean } | null {
  const relative = text.startsWith("/") && !text.startsWith("//");
  const base = relative ? "http://relative.invalid" : undefined;
  return URL.canParse(text, base) ? { url: new URL(text, base), relative } : null;
}

/** `?a=1&b` → `?a=[redacted]&b`: the names stay, so the shape of the query can still be read. */
function redactQuery(search: string): string {
  if (search === "" || search === "?") return "";
  const parts = search
    .slice(1)
    .split("&")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? part : `${part.slice(0, eq)}=${REDACTED}`;
    });
  return `?${parts.join("&")}`;
}

/**
 * A URL fit to show: an absolute URL (`https://u:p@host/path?q=v#f`) or a request target
 * (`/path?q=v`), with its credentials redacted; with nothing to hide, the text as it was. Text
 * that does not parse as either is hidden whole.
 */
export function redactUrl(text: string): string {
  const parsed = parse(text);
  if (!parsed) return REDACTED;
  const { url, relative } = parsed;
  // Opaque URLs (mailto:, data:) have no host and may be anything: only their scheme is shown.
  if (!relative && !url.host) return `${url.protocol}${REDACTED}`;
  if (secretsOf(url, relative).length === 0) return text;
  const path = `/${redactSegments(relative ? "" : url.hostname, url.pathname.split("/").slice(1)).join("/")}`;
  const rest = `${path}${redactQuery(url.search)}${url.hash ? `#${REDACTED}` : ""}`;
  if (relative) return rest;
  const userinfo = url.username || url.password ? `${REDACTED}@` : "";
  return `${url.protocol}//${userinfo}${url.host}${rest}`;
}

/**
 * The pieces of a URL that `redactUrl` hides, as written and percent-decoded, longest first, so
 * that free text quoting only a piece (an error message naming a path) can be scrubbed of them too.
 */
export function secretsOfUrl(text: string): string[] {
  const parsed = parse(text);
  if (!parsed) return [text];
  if (!parsed.relative && !parsed.url.host) return [text.slice(parsed.url.protocol.length)];
  return secretsOf(parsed.url, parsed.relative);
}

function secretsOf(url: URL, relative: boolean): string[] {
  const segments = url.pathname.split("/").slice(1);
  const shown = redactSegments(relative ? "" : url.hostname, segments);
  const raw = [
    url.username,
    url.password,
    url.hash.slice(1),
    ...segments.filter((seg, i) => shown[i] !== seg),
    ...url.search
      .slice(1)
      .split("&")
      .flatMap((part) => (part.includes("=") ? [part.slice(part.indexOf("=") + 1)] : [])),
  ].filter((piece) => piece !== "");
  const decoded = raw.map((piece) => {
    try {
      return decodeURIComponent(piece.replaceAll("+", " "));
    } catch {
      return piece;
    }
  });
  return [...new Set([...raw, ...decoded])].sort((a, b) => b.length - a.length);
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Free text (an error message) with every absolute URL in it redacted as `redactUrl` does. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    // Punctuation that ends a sentence is not part of the URL.
    const trail = /[.,;:)\]]+$/.exec(found)?.[0] ?? "";
    return redactUrl(found.slice(0, found.length - trail.length)) + trail;
  });
}
