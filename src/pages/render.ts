import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Answers a rendered page as a whole HTML document (`text/html; charset=utf-8`). */
export async function renderPage(
  c: Context,
  page: string | Promise<string>,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  // Spelled like the API's JSON answers (Hono's own `c.html` says `UTF-8`).
  return c.body(`<!doctype html>${await page}`, status, { "content-type": "text/html; charset=utf-8" });
}
