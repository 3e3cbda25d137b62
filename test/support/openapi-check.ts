import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/** The parts of the OpenAPI document the check reads. */
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** One operation's path as a pattern, with the pointer to it in the document. */
interface PathMatcher {
  template: string;
  pattern: RegExp;
  /** Fewer parameters first: `/events/stream` is tried before `/events/{id}`. */
  params: number;
}

/**
 * Checks answers of the management API against its own OpenAPI document: the operation must be
 * in it, the status must be one it declares, and a JSON body must match that answer's schema.
 * The document is the same for every server, so one is kept for the whole test file.
 */
export class OpenApiCheck {
  private readonly ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  private readonly matchers: PathMatcher[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    this.ajv.addSchema(document as object, "openapi");
    this.matchers = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}/?$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** Throws when the answer to `method path` is not what the document says it can be. */
  check(method: string, url: string, status: number, body: unknown): void {
    const path = new URL(url, "http://x").pathname;
    if (!path.startsWith("/api/")) return;
    const verb = method.toLowerCase();
    const matcher = this.matchers.find(
      (m) => m.pattern.test(path) && this.document.paths[m.template]?.[verb],
    );
    if (!matcher) {
      // No route for it at all: the app's one not-found answer.
      if (status === 404 && isError(body, "not_found")) return;
      throw new Error(`${method} ${path} is not in the OpenAPI document (answered ${status})`);
    }
    const operation = this.document.paths[matcher.template]?.[verb];
    const answer = operation?.responses[String(status)];
    if (!answer) {
      throw new Error(
        `${method} ${matcher.template} answered ${status}, which the document does not declare: ${JSON.stringify(body)}`,
      );
    }
    if (!answer.content?.["application/json"]) return;
    const pointer = `openapi#/paths/${pointerEscape(matcher.template)}/${verb}/responses/${status}/content/application~1json/schema`;
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(pointer);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      this.compiled.set(pointer, validate);
    }
    if (!validate(body)) {
      throw new Error(
        `${method} ${matcher.template} ${status}: the body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
      );
    }
  }
}

const pointerEscape = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

const isError = (body: unknown, code: string) =>
  typeof body === "object" && body !== null && (body as { code?: unknown }).code === code;

const checks = new Map<unknown, Promise<OpenApiCheck | null>>();

/**
 * The check for the document a server serves (`server`: its URL, or the app), fetched once; null
 * for a server that serves no API (`--role worker`), which answers none of it.
 */
export function openApiCheck(
  server: unknown,
  fetchDocument: () => Promise<Response>,
): Promise<OpenApiCheck | null> {
  let check = checks.get(server);
  if (!check) {
    check = (async () => {
      const res = await fetchDocument();
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
      return new OpenApiCheck((await res.json()) as Document);
    })();
    checks.set(server, check);
    // A server that failed to answer must not fail every later call.
    check.catch(() => checks.delete(server));
  }
  return check;
}
