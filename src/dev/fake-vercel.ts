/**
 * A stand-in for vercel.com and api.vercel.com on two loopback ports: for the tests of the
 * integration, and for `switchyard dev vercel`, where a person clicks an install through without
 * a Vercel account. It serves what the integration uses, with the documented request and answer
 * shapes (checked against @vercel/sdk's schemas in test/integration/fake-vercel.test.ts):
 *
 * - site (fake-vercel-site.ts): `GET /integrations/:slug/new?state=…` installs (at once, or with
 *   `confirm`, after a page where the scope is chosen) and redirects to the Redirect URL with
 *   `code`, `configurationId`, `teamId` (team installs only), `next` and `state`; `GET /`, a
 *   dashboard of the installations, their Configuration URLs and a form that sends test events;
 * - api: `POST /v2/oauth/access_token` (form-encoded; single-use codes that expire after 30
 *   minutes), `GET /v10/projects` (Bearer; `teamId` scoping; `limit` and `from` pagination),
 *   `DELETE /v1/integrations/configuration/:id` (204, and the installation's token stops working),
 *   and deployments with what integrations report about them (fake-vercel-deployments.ts);
 * - `sendEvent`: a catalog sample addressed to an installation, signed with the client secret
 *   and POSTed to the integration's Webhook URL, as Vercel sends its events.
 *
 * Errors are Vercel's `{"error": {"code", "message"}}`. Every request is recorded; a test can make
 * a code, set a scope's projects, and make the next API calls fail (or lose their answers).
 */
import { randomBytes } from "node:crypto";
import { EventEmitter, once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Clock, systemClock } from "../core/clock.js";
import { lookupEventType } from "../vercel/lookup.js";
import { type Answer, error, json, projectBody } from "./fake-vercel-answers.js";
import { FakeDeployments } from "./fake-vercel-deployments.js";
import { installationEvent, postSigned } from "./fake-vercel-event.js";
import { siteAnswer } from "./fake-vercel-site.js";
import type {
  Failure,
  FakeTeam,
  Grant,
  InstallationView,
  RecordedRequest,
  SendTarget,
  SentEvent,
} from "./fake-vercel-types.js";

export type {
  Failure,
  FakeTeam,
  Grant,
  InstallationView,
  RecordedRequest,
  SendTarget,
  SentEvent,
} from "./fake-vercel-types.js";

export interface FakeVercelOptions {
  /** The integration's URL slug, as in `https://vercel.com/integrations/:slug/new`. */
  slug?: string;
  clientId?: string;
  clientSecret?: string;
  /** The Redirect URL registered on the Integration Console; the exchange must name it exactly. */
  redirectUri: string;
  /** The user who installs; Vercel user ids carry no prefix. */
  userId?: string;
  clock?: Clock;
  /** The older timestamp cursors (numbers), or the newer continuation tokens (strings). */
  pagination?: "timestamp" | "token";
  /** Whether the install page asks a person for the scope first; a test's installs at once. */
  confirm?: boolean;
  /** The user's teams, offered beside the personal account; one team by default. */
  teams?: FakeTeam[];
  /** The integration's Webhook URL, where the dashboard's form sends test events. */
  webhookUrl?: string;
  /** The integration's Configuration URL; the Redirect URL's sibling `/configure` by default. */
  configurationUrl?: string;
  /** The site's and the API's ports on 127.0.0.1; 0 (any free port) by default. */
  sitePort?: number;
  apiPort?: number;
}

interface Installation {
  configurationId: string;
  teamId: string | null;
  accessToken: string;
  deleted: boolean;
}

interface FakeProject {
  id: string;
  name: string;
  accountId: string;
  updatedAt: number;
}

/** A code lives 30 minutes and is exchanged once (docs: "Building Integrations with Vercel REST API"). */
export const CODE_TTL_MS = 30 * 60 * 1000;

const id = (prefix: string) => `${prefix}${randomBytes(12).toString("hex")}`;

/**
 * The fake itself: `start()`, then point the client at `apiUrl` and browsers at `siteUrl`. Emits
 * `answered` with each request once its answer is sent (for tests to wait on).
 */
export class FakeVercel extends EventEmitter<{ answered: [RecordedRequest, number] }> {
  readonly requests: RecordedRequest[] = [];
  readonly slug: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly userId: string;
  readonly teams: readonly FakeTeam[];
  readonly confirm: boolean;
  readonly webhookUrl: string | null;
  /** The events `sendEvent` sent, in order. */
  readonly sent: SentEvent[] = [];
  /** The scope the install page installs into at once: a team id, or null for the personal account. */
  installTeamId: string | null = "team_fake1";
  readonly #configurationUrl: string;
  readonly #clock: Clock;
  readonly #pagination: "timestamp" | "token";
  readonly #codes = new Map<string, { installation: Installation; expiresAt: number }>();
  readonly #installations: Installation[] = [];
  readonly #projects = new Map<string | null, FakeProject[]>();
  readonly #failures: Failure[] = [];
  /** Deployments, and the action and check updates reported about them. */
  readonly deployments = new FakeDeployments(() => this.#clock.now());
  #servers: Server[] = [];
  siteUrl = "";
  apiUrl = "";

  private constructor(options: FakeVercelOptions) {
    super();
    this.slug = options.slug ?? "switchyard";
    this.clientId = options.clientId ?? "oac_fakeclient";
    this.clientSecret = options.clientSecret ?? "fake-client-secret";
    this.redirectUri = options.redirectUri;
    this.userId = options.userId ?? "fakeuser1";
    this.#clock = options.clock ?? systemClock;
    this.#pagination = options.pagination ?? "timestamp";
    this.teams = options.teams ?? [{ id: "team_fake1", name: "Fake Team" }];
    this.confirm = options.confirm ?? false;
    this.webhookUrl = options.webhookUrl ?? null;
    this.#configurationUrl =
      options.configurationUrl ?? `${options.redirectUri.replace(/\/callback$/, "")}/configure`;
  }

  /** Starts both origins on loopback ports. */
  static async start(options: FakeVercelOptions): Promise<FakeVercel> {
    const fake = new FakeVercel(options);
    const listen = async (origin: "site" | "api", port: number) => {
      const server = createServer((req, res) => fake.#receive(origin, req, res));
      server.listen(port, "127.0.0.1");
      // Rejects when the port is taken: `once` rejects on an "error" event.
      await once(server, "listening");
      fake.#servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    try {
      fake.siteUrl = await listen("site", options.sitePort ?? 0);
      fake.apiUrl = await listen("api", options.apiPort ?? 0);
    } catch (e) {
      await fake.close();
      throw e;
    }
    return fake;
  }

  /** Installs into a scope (again: same configuration, as Vercel does) and makes a fresh code. */
  makeCode(teamId: string | null = this.installTeamId): Grant {
    let installation = this.#installations.find((i) => i.teamId === teamId && !i.deleted);
    if (installation === undefined) {
      installation = { configurationId: id("icfg_"), teamId, accessToken: id(""), deleted: false };
      this.#installations.push(installation);
    }
    const code = randomBytes(18).toString("base64url");
    this.#codes.set(code, { installation, expiresAt: this.#clock.now() + CODE_TTL_MS });
    const { configurationId, accessToken } = installation;
    return { code, configurationId, teamId, userId: this.userId, accessToken };
  }

  /** Sets the projects of a team (or, for null, the personal account), newest first. */
  setProjects(teamId: string | null, names: readonly string[]): { id: string; name: string }[] {
    const base = this.#clock.now();
    const projects = names.map((name, i) => ({
      id: id("prj_"),
      name,
      accountId: teamId ?? this.userId,
      updatedAt: base - i,
    }));
    this.#projects.set(teamId, projects);
    return projects.map(({ id, name }) => ({ id, name }));
  }

  /**
   * Makes the next API call (and the ones after, one per call) answer these failures; a failure
   * `on` a call waits for a call it names.
   */
  failNext(...failures: Failure[]): void {
    this.#failures.push(...failures);
  }

  /** Whether the configuration exists and has not been deleted. */
  isInstalled(configurationId: string): boolean {
    return this.#installations.some((i) => i.configurationId === configurationId && !i.deleted);
  }

  /** The installations made so far, in order, removed ones included. */
  get installations(): InstallationView[] {
    return this.#installations.map((i) => ({
      configurationId: i.configurationId,
      teamId: i.teamId,
      removed: i.deleted,
    }));
  }

  /** Where Vercel's dashboard sends the user to an installation's settings. */
  configurationUrlOf(configurationId: string): string {
    const url = new URL(this.#configurationUrl);
    url.searchParams.set("configurationId", configurationId);
    return url.toString();
  }

  /**
   * Sends a realistic event of `type` about one installation (see `installationEvent`) to a
   * Webhook URL, signed as Vercel signs: `x-vercel-signature`, the hex HMAC-SHA1 of the raw body
   * keyed with the client secret. Resolves with the answer's status; throws for an unknown type
   * or installation, and when the request fails (which `sent` records too).
   */
  async sendEvent(webhookUrl: string, type: string, target: SendTarget = {}): Promise<number> {
    const installation = this.#installationFor(target);
    const projectId = target.projectId ?? this.#projects.get(installation.teamId)?.[0]?.id ?? null;
    const event = installationEvent(
      type,
      {
        configurationId: installation.configurationId,
        teamId: installation.teamId,
        userId: this.userId,
        projectId,
        clientId: this.clientId,
      },
      this.#clock.now(),
    );
    // Vercel removes the configuration first, then tells the integration.
    if (lookupEventType(type)?.type === "integration-configuration.removed") installation.deleted = true;
    const { configurationId } = installation;
    const sent: SentEvent = { id: String(event.id), type, configurationId, status: null, error: null };
    this.sent.push(sent);
    try {
      sent.status = await postSigned(webhookUrl, JSON.stringify(event), this.clientSecret);
      return sent.status;
    } catch (e) {
      sent.error = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  /** The installation a target names, or the latest active one; throws when there is none. */
  #installationFor(target: SendTarget): Installation {
    const active = this.#installations.filter((i) => !i.deleted);
    const found =
      target.configurationId !== undefined
        ? active.find((i) => i.configurationId === target.configurationId)
        : target.teamId !== undefined
          ? active.find((i) => i.teamId === target.teamId)
          : active.at(-1);
    if (found === undefined) {
      const which =
        target.configurationId ?? (target.teamId === undefined ? "any scope" : String(target.teamId));
      throw new Error(`no active installation of ${which} to send an event for`);
    }
    return found;
  }

  /** The API requests recorded so far, in order. */
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.origin === "api");
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#servers.map((s) => {
        s.closeAllConnections();
        return new Promise((resolve) => s.close(resolve));
      }),
    );
  }

  #receive(origin: "site" | "api", req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const request: RecordedRequest = {
        origin,
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      this.requests.push(request);
      const answer = origin === "site" ? siteAnswer(this, request) : Promise.resolve(this.#api(request));
      answer.then(
        (a) => {
          res.writeHead(a.status, a.headers).end(a.body);
          this.emit("answered", request, a.status);
        },
        (e: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" }).end(String(e));
          this.emit("answered", request, 500);
        },
      );
    });
  }

  #api(r: RecordedRequest): Answer {
    const call = `${r.method} ${r.path}`;
    const at = this.#failures.findIndex((f) => f.on === undefined || call.startsWith(f.on));
    const [failure] = at === -1 ? [] : this.#failures.splice(at, 1);
    if (failure === undefined) return this.#answer(r);
    if (failure.afterDoing) this.#answer(r);
    const code = failure.code ?? (failure.status === 429 ? "rate_limited" : "internal_server_error");
    return error(failure.status, code, failure.message ?? "Failure made by the test", failure.headers);
  }

  #answer(r: RecordedRequest): Answer {
    if (r.path === "/v2/oauth/access_token" && r.method === "POST") return this.#exchange(r);
    if (r.path === "/v10/projects" && r.method === "GET") return this.#listProjects(r);
    const del = /^\/v1\/integrations\/configuration\/([^/]+)$/.exec(r.path);
    if (del?.[1] !== undefined && r.method === "DELETE") return this.#deleteConfiguration(r, del[1]);
    if (/^\/v(1|2|13)\/deployments\//.test(r.path)) {
      const installation = this.#tokenOwner(r);
      if (installation === undefined)
        return error(403, "forbidden", "Not authorized", {}, { invalidToken: true });
      const answer = this.deployments.answer(r, installation);
      if (answer) return answer;
    }
    return error(404, "not_found", "The requested endpoint does not exist.");
  }

  #exchange(r: RecordedRequest): Answer {
    const type = (r.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      return error(400, "bad_request", "The body must be application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams(r.body);
    for (const field of ["client_id", "client_secret", "code", "redirect_uri"]) {
      if (!form.get(field)) return error(400, "bad_request", `Missing required field \`${field}\`.`);
    }
    if (form.get("client_id") !== this.clientId || form.get("client_secret") !== this.clientSecret) {
      return error(403, "forbidden", "Invalid client credentials.");
    }
    if (form.get("redirect_uri") !== this.redirectUri) {
      return error(400, "bad_request", "The redirect_uri does not match the integration's Redirect URL.");
    }
    const code = form.get("code") ?? "";
    const entry = this.#codes.get(code);
    this.#codes.delete(code);
    if (entry === undefined || entry.expiresAt <= this.#clock.now() || entry.installation.deleted) {
      return error(400, "bad_request", "The code is invalid, expired or already used.");
    }
    const { installation } = entry;
    return json(200, {
      token_type: "Bearer",
      access_token: installation.accessToken,
      installation_id: installation.configurationId,
      user_id: this.userId,
      team_id: installation.teamId,
    });
  }

  /** The active installation the request's Bearer token belongs to. */
  #tokenOwner(r: RecordedRequest): Installation | undefined {
    const auth = r.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    return this.#installations.find((i) => i.accessToken === token && !i.deleted);
  }

  /** The installation the request's Bearer token belongs to, if it may act in `teamId`'s scope. */
  #authorize(r: RecordedRequest): Installation | Answer {
    const installation = this.#tokenOwner(r);
    if (installation === undefined) {
      return error(403, "forbidden", "Not authorized", {}, { invalidToken: true });
    }
    if ((r.query.teamId ?? null) !== installation.teamId) {
      return error(403, "forbidden", "Not authorized");
    }
    return installation;
  }

  #listProjects(r: RecordedRequest): Answer {
    const installation = this.#authorize(r);
    if ("status" in installation) return installation;
    const limit = r.query.limit === undefined ? 20 : Number(r.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return error(400, "bad_request", "Invalid query parameter `limit`: must be an integer from 1 to 100.");
    }
    const all = this.#projects.get(installation.teamId) ?? [];
    let start = 0;
    if (r.query.from !== undefined) {
      const from = r.query.from;
      start =
        this.#pagination === "token"
          ? Number(/^c([0-9]+)$/.exec(from)?.[1] ?? Number.NaN)
          : all.findIndex((p) => p.updatedAt < Number(from));
      if (Number.isNaN(start)) return error(400, "bad_request", "Invalid query parameter `from`.");
      if (start === -1) start = all.length;
    }
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    const last = page.at(-1);
    const next = !more || last === undefined ? null : this.#cursor(last, start + limit);
    const pagination =
      this.#pagination === "token"
        ? { count: page.length, next }
        : { count: page.length, next, prev: start === 0 ? null : (all[0]?.updatedAt ?? null) };
    return json(200, { projects: page.map(projectBody), pagination });
  }

  #cursor(last: FakeProject, nextIndex: number): number | string {
    return this.#pagination === "token" ? `c${nextIndex}` : last.updatedAt;
  }

  #deleteConfiguration(r: RecordedRequest, configurationId: string): Answer {
    const installation = this.#authorize(r);
    if ("status" in installation) return installation;
    if (installation.configurationId !== configurationId) {
      return error(404, "not_found", "The configuration was not found.");
    }
    installation.deleted = true;
    return { status: 204, headers: {}, body: "" };
  }
}
