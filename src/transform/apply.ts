import { ConfigError } from "../core/config-error.js";
import { DEFAULT_TENANT } from "../core/types.js";
import { TransformCompileError } from "./compile-error.js";
import { type HostResult, type SandboxDeath, SandboxHost } from "./host.js";
import type { TransformConfig, TransformsSettings } from "./schema.js";
import { renderTemplate, type TemplateName, templates } from "./templates/index.js";

/** What a transform made of an event: a body to send, nothing to send, or an error with its line. */
export type Rendered =
  | { outcome: "transformed"; body: Uint8Array; contentType: string }
  | { outcome: "skipped" }
  | { outcome: "failed"; message: string; line: number | null };

/** What the transformer needs of a route: its slug and its transform, if any. */
export interface TransformedRoute {
  slug: string;
  transform?: TransformConfig | undefined;
}

/** What a transform is told besides the event itself (its second argument). */
export interface TransformMeta {
  eventId: string;
  deliveryId: string;
  source: string;
  type: string;
  route: string;
  destination: string;
}

const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";

/** Where the tester compiles routes given to it, apart from every tenant's own. */
const TRIAL_TENANT = "(route test)";

/**
 * The transforms of every configured route: templates run in-process (trusted code), code runs in
 * the sandbox process (host.ts), compiled once per route at start-up. `create` fails with the
 * config path of each transform that does not compile.
 */
export class Transformer {
  /** By tenant and route: a route's transform, or null for a route without one. */
  private readonly routes = new Map<string, TransformConfig | null>();
  private host: SandboxHost | null = null;
  private trials = 0;

  private constructor(
    readonly limits: TransformsSettings,
    private readonly onSandboxDeath: (death: SandboxDeath) => void,
  ) {}

  /** Compiles every route's code; a ConfigError names each transform that does not compile. */
  static async create(
    routes: readonly TransformedRoute[],
    limits: TransformsSettings,
    { tenant = DEFAULT_TENANT, onSandboxDeath = () => {} }: TransformerOptions = {},
  ): Promise<Transformer> {
    const transformer = new Transformer(limits, onSandboxDeath);
    const issues: string[] = [];
    for (const [i, route] of routes.entries()) {
      const t = route.transform ?? null;
      transformer.routes.set(routeKey(tenant, route.slug), t);
      if (t?.code === undefined) continue;
      try {
        await transformer.sandbox().compile(tenant, route.slug, t.code, t.file ?? `routes/${route.slug}`);
      } catch (error) {
        if (!(error instanceof TransformCompileError)) throw error;
        // A file's error names the file and line as a compiler would.
        issues.push(
          t.file === undefined
            ? `routes[${i}].transform.code: ${error.message}`
            : `routes[${i}].transform.file: ${t.file}${error.line === null ? "" : `:${error.line}`}: ${error.reason}`,
        );
      }
    }
    if (issues.length > 0) {
      await transformer.close();
      throw new ConfigError(null, issues);
    }
    return transformer;
  }

  /** Whether the tenant's route exists now and has a transform. */
  has(tenant: string, route: string): boolean {
    return Boolean(this.routes.get(routeKey(tenant, route)));
  }

  /** Whether the tenant has the route at all. */
  knows(tenant: string, route: string): boolean {
    return this.routes.has(routeKey(tenant, route));
  }

  /**
   * Puts a tenant's route (new or changed at run time) in force: its code compiled in the tenant's
   * isolate. Throws TransformCompileError, leaving the route as it was.
   */
  async define(tenant: string, route: TransformedRoute): Promise<void> {
    const key = routeKey(tenant, route.slug);
    const t = route.transform ?? null;
    if (t?.code !== undefined)
      await this.sandbox().compile(tenant, route.slug, t.code, `routes/${route.slug}`);
    else if (this.routes.get(key)?.code !== undefined) await this.sandbox().drop(tenant, route.slug);
    this.routes.set(key, t);
  }

  /** Takes a tenant's route out of force (deleted at run time), with its compiled code. */
  async forget(tenant: string, route: string): Promise<void> {
    const key = routeKey(tenant, route);
    const had = this.routes.get(key);
    this.routes.delete(key);
    if (had?.code !== undefined && this.host) await this.host.drop(tenant, route);
  }

  /** Applies a route's transform to an event's raw JSON. Never throws for anything the transform does. */
  async render(tenant: string, route: string, raw: Uint8Array, meta: TransformMeta): Promise<Rendered> {
    const t = this.routes.get(routeKey(tenant, route));
    if (!t) return { outcome: "failed", message: `route "${route}" has no transform`, line: null };
    if (t.template !== undefined) return this.template(t, raw);
    return this.fromSandbox(await this.sandbox().run(tenant, route, raw, meta));
  }

  /**
   * Applies the transform of a route that is not configured (the route tester's): its code is
   * compiled apart from every tenant's, run once when `run` (else only compiled), and forgotten.
   * Throws TransformCompileError.
   */
  async trial(
    transform: TransformConfig,
    raw: Uint8Array,
    meta: TransformMeta,
    run: boolean,
  ): Promise<Rendered | null> {
    if (transform.code === undefined) return run ? this.template(transform, raw) : null;
    const key = `trial-${++this.trials}`;
    const sandbox = this.sandbox();
    await sandbox.compile(TRIAL_TENANT, key, transform.code, `routes/${meta.route}`);
    try {
      return run ? this.fromSandbox(await sandbox.run(TRIAL_TENANT, key, raw, meta)) : null;
    } finally {
      await sandbox.drop(TRIAL_TENANT, key);
    }
  }

  /** Stops the sandbox process. */
  async close(): Promise<void> {
    const host = this.host;
    this.host = null;
    await host?.close();
  }

  private template(t: TransformConfig, raw: Uint8Array): Rendered {
    const name = t.template as TemplateName;
    try {
      const event: unknown = JSON.parse(Buffer.from(raw).toString("utf8"));
      const options = templates[name].options.parse(t.options ?? {});
      return this.output(renderTemplate(name, event, options));
    } catch (error) {
      return { outcome: "failed", message: `template ${name}: ${(error as Error).message}`, line: null };
    }
  }

  private fromSandbox(result: HostResult): Rendered {
    switch (result.kind) {
      case "skip":
        return { outcome: "skipped" };
      case "error":
        return { outcome: "failed", message: result.message, line: result.line };
      case "text":
        return { outcome: "transformed", body: result.body, contentType: TEXT_TYPE };
      case "json":
        return { outcome: "transformed", body: result.body, contentType: JSON_TYPE };
    }
  }

  private output(out: object | string | null | undefined): Rendered {
    if (out === null || out === undefined) return { outcome: "skipped" };
    return typeof out === "string" ? this.bytes(out, TEXT_TYPE) : this.bytes(JSON.stringify(out), JSON_TYPE);
  }

  private bytes(text: string, contentType: string): Rendered {
    const body = Buffer.from(text, "utf8");
    if (body.byteLength > this.limits.maxOutputBytes) {
      return {
        outcome: "failed",
        message: `the output is larger than ${this.limits.maxOutputBytes} bytes`,
        line: null,
      };
    }
    return { outcome: "transformed", body, contentType };
  }

  private sandbox(): SandboxHost {
    this.host ??= new SandboxHost(
      {
        timeoutMs: this.limits.timeout,
        memoryLimitMb: this.limits.memoryLimitMb,
        maxOutputBytes: this.limits.maxOutputBytes,
      },
      this.onSandboxDeath,
    );
    return this.host;
  }
}

/** One key for a tenant's route (neither can hold a newline). */
const routeKey = (tenant: string, route: string) => `${tenant}\n${route}`;

/** How a Transformer is built. */
export interface TransformerOptions {
  /** The tenant whose isolate the routes' code is compiled in. */
  tenant?: string;
  /** Told when the sandbox process died (a call passed a hard limit, or it crashed), with why. */
  onSandboxDeath?: (death: SandboxDeath) => void;
}
