/**
 * A browser reduced to what the integration's pages rely on: it keeps the cookies it is given
 * (by name; an expired one is dropped) and sends them back, and it follows no redirect by
 * itself, so a test sees each step of a flow.
 */
export class CookieClient {
  readonly cookies = new Map<string, string>();

  /** Sends a request with the kept cookies; keeps the ones the answer sets. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** GETs `url`, following redirects up to `max` times; answers the last response and its URL. */
  async follow(url: string, max = 5): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let i = 0; ; i++) {
      const response = await this.request(current);
      const location = response.headers.get("location");
      if (location === null || response.status < 300 || response.status >= 400 || i >= max)
        return { response, url: current };
      await response.body?.cancel();
      current = new URL(location, current).toString();
    }
  }

  /** POSTs a form (repeated names as arrays). */
  post(url: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    return this.request(url, { method: "POST", body });
  }
}

/** The value of a form field in an HTML page (`name="…" value="…"`), as the server rendered it. */
export function fieldValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}
