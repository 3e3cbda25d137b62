import { ConfigError } from "../config/errors.js";
import type { RouteConfig } from "../config/routing-schema.js";
import type { TransformConfig, TransformsSettings } from "../config/transform-schema.js";
import { DEFAULT_TENANT } from "../core/types.js";
import { hasNodeSnapshotDisabled, Sandbox, TransformCompileError } from "./sandbox.js";
import { renderTemplate, templates } from "./templates/index.js";

/** What a transform made of an event: a body to send, nothing to send, or an error with its line. */
export type Rendered =
  | { outcome: "transformed"; body: Uint8Array; contentType: string }
  | { outcome: "skipped" }
  | { outcome: "failed"; message: string; line: number | null };

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

/**
 * The transforms of every configured route: templates run in-process (trusted code), code runs in
 * the sandbox, compiled once per route at start-up. Construction fails with the config path of
 * each transform that does not compile.
 */
export class Transformer {
  private readonly routes = new Map<string, TransformConfig | null>();
  private sandbox: Sandbox | null = null;

  constructor(
    routes: readonly RouteConfig[],
    readonly limits: TransformsSettings,
    tenant = DEFAULT_TENANT,
  ) {
    const issues: string[] = [];
    routes.forEach((route, i) => {
      const t = route.transform ?? null;
      this.routes.set(route.slug, t);
      if (t?.code === undefined) return;
      try {
        this.sandboxFor().compile(tenant, route.slug, t.code, t.file ?? `routes/${route.slug}`);
      } catch (error) {
        if (!(error instanceof TransformCompileError) && !(error instanceof SandboxUnavailableError))
          throw error;
        issues.push(`routes[${i}].transform.${t.file ? "file" : "code"}: ${error.message}`);
      }
    });
    if (issues.length > 0) {
      this.close();
      throw new ConfigError(null, issues);
    }
  }

  /** Whether the route exists now and has a transform. */
  has(route: string): boolean {
    return Boolean(this.routes.get(route));
  }

  /** Whether the route is configured at all. */
  knows(route: string): boolean {
    return this.routes.has(route);
  }

  /** Applies a route's transform to an event's raw JSON. Never throws for anything the transform does. */
  async render(tenant: string, route: string, raw: Uint8Array, meta: TransformMeta): Promise<Rendered> {
    const t = this.routes.get(route);
    if (!t) return { outcome: "failed", message: `route "${route}" has no transform`, line: null };
    if (t.template !== undefined) {
      try {
        const event: unknown = JSON.parse(Buffer.from(raw).toString("utf8"));
        const options = templates[t.template].options.parse(t.options ?? {});
        return this.output(renderTemplate(t.template, event, options));
      } catch (error) {
        return {
          outcome: "failed",
          message: `template ${t.template}: ${(error as Error).message}`,
          line: null,
        };
      }
    }
    const result = await this.sandboxFor().run(tenant, route, Buffer.from(raw).toString("utf8"), meta);
    switch (result.kind) {
      case "skip":
        return { outcome: "skipped" };
      case "error":
        return { outcome: "failed", message: result.message, line: result.line };
      case "text":
        return this.bytes(result.text, TEXT_TYPE);
      case "json":
        return this.bytes(result.text, JSON_TYPE);
    }
  }

  /** Releases the sandbox's isolates. */
  close(): void {
    this.sandbox?.dispose();
    this.sandbox = null;
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

  private sandboxFor(): Sandbox {
    if (!this.sandbox) {
      if (!hasNodeSnapshotDisabled()) throw new SandboxUnavailableError();
      this.sandbox = new Sandbox({
        timeoutMs: this.limits.timeout,
        memoryLimitMb: this.limits.memoryLimitMb,
        maxOutputBytes: this.limits.maxOutputBytes,
      });
    }
    return this.sandbox;
  }
}

/** Code transforms need Node started with --no-node-snapshot (isolated-vm on Node 20+). */
export class SandboxUnavailableError extends Error {
  constructor() {
    super(
      "code transforms need Node.js started with --no-node-snapshot (`switchyard` and `npm start` do this; otherwise set NODE_OPTIONS=--no-node-snapshot)",
    );
    this.name = "SandboxUnavailableError";
  }
}
