/**
 * Branch databases for the `postgres-branch` deployment action. For a deployment, `ensure` makes a
 * database cloned from a template, with a login role of the same name that owns the database and
 * everything cloned into it, and that alone (with the admin) may connect to it; the branch's URL is
 * what the action reports to Vercel as a resource secret. Following git refs, later deployments of
 * the same ref reuse the branch and get the same URL: the password is derived from the name, never
 * stored. `drop` removes a branch when its deployment goes.
 *
 * Each operation runs in an admin session of its own holding an advisory lock on the name
 * (`branch-session.ts`), so two deployments of one ref at once make one database. The steps of
 * making a branch are in `make-branch.ts`. A failure or an abort on the way removes what was made,
 * so a rejected `ensure` leaves the server as it found it; a crash or a lost session leaves a
 * half-made branch that the next `ensure` finishes or `drop` removes (`branch-catalog.ts`).
 * Failures a person can act on are `BranchError`s (`branch-error.ts`); anything else is thrown as
 * it is. Nothing here logs; no message holds a password.
 */
import postgres from "postgres";
import { checkDroppable, droppableParts, markOf, planEnsure, readBranchState } from "./branch-catalog.js";
import { type BranchContext, BranchError, branchErrorOf } from "./branch-error.js";
import {
  type BranchBy,
  type BranchRequest,
  branchName,
  branchPassword,
  isBranchName,
} from "./branch-name.js";
import { type BranchSession, twice, withLockedSession } from "./branch-session.js";
import { type BranchStep, makeBranch, setRolePassword } from "./make-branch.js";
import { scramVerifier } from "./scram-verifier.js";

export { BranchError, type BranchErrorCode } from "./branch-error.js";
export type { BranchBy, BranchRequest } from "./branch-name.js";
export type { BranchStep } from "./make-branch.js";

/** Where branches are made. */
export interface BranchSettings {
  /** Admin connection URL: a role that may CREATE DATABASE and CREATE ROLE (not connected to the template). */
  url: string;
  /** The database each branch is cloned from. */
  template: string;
  branchBy: BranchBy;
}

/** A branch ready for a deployment. */
export interface Branch {
  database: string;
  role: string;
  /** Same host, port and parameters as the admin URL; the branch role, its password, the branch database. */
  url: string;
  /** False when an existing branch (of the same git ref, or a retried deployment) was reused. */
  created: boolean;
}

export interface BrancherOptions {
  /** Seconds to wait for a connection to the server; 10 by default. */
  connectTimeoutSeconds?: number;
  /** Told of each step and awaited before the next: for progress, and for tests to act between steps. */
  onStep?: (step: BranchStep, name: string) => void | Promise<void>;
}

const APPLICATION_NAME = "switchyard-branch";
/** Fewer bytes than this could be guessed; HMAC-SHA256 takes any length above it. */
const MIN_KEY_BYTES = 16;

type ConnectionOptions = postgres.Options<Record<string, postgres.PostgresType>>;

export class PostgresBrancher {
  readonly #settings: BranchSettings;
  readonly #key: Buffer;
  readonly #onStep: BrancherOptions["onStep"];
  readonly #connection: ConnectionOptions;
  /** The sessions of the operations under way, which `close` ends. */
  readonly #sessions = new Set<postgres.Sql>();
  /** `host:port` for messages: never the URL, which holds the admin's password. */
  readonly #server: string;
  readonly #adminUser: string | null;

  constructor(settings: BranchSettings, passwordKey: Buffer, options: BrancherOptions = {}) {
    const url = URL.canParse(settings.url) ? new URL(settings.url) : null;
    if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
      throw new TypeError("the branch admin URL must be a postgres:// URL");
    }
    if (settings.template === "" || Buffer.byteLength(settings.template) > 63) {
      throw new TypeError("the branch template must be a database name of 1 to 63 bytes");
    }
    if (passwordKey.length < MIN_KEY_BYTES) {
      throw new TypeError(`the branch password key must be at least ${MIN_KEY_BYTES} bytes`);
    }
    this.#settings = settings;
    this.#key = passwordKey;
    this.#onStep = options.onStep;
    this.#server = url.host || "its local socket";
    this.#adminUser = url.username === "" ? null : decodeURIComponent(url.username);
    this.#connection = {
      max: 1,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: APPLICATION_NAME },
    };
  }

  /** The branch's database (and role) name for a request: safe and bounded. */
  nameFor(request: BranchRequest): string {
    return branchName(request, this.#settings.branchBy);
  }

  /** Creates (or with git-ref, reuses) the branch; idempotent; honours an AbortSignal between steps. */
  async ensure(request: BranchRequest, signal?: AbortSignal): Promise<Branch> {
    const name = this.nameFor(request);
    const mark = markOf(request.installationId);
    const password = branchPassword(this.#key, name);
    const context = this.#context(name);
    try {
      const created = await this.#locked(name, context, signal, async (session) => {
        const { sql } = session;
        context.stage = "look-up";
        const state = await readBranchState(sql, name);
        const verifier = await scramVerifier(password);
        if (planEnsure(state, name, mark) === "reuse") {
          // The same key gives the same password; setting it again keeps the URL right should the key have changed.
          context.stage = "role";
          session.checkpoint();
          await setRolePassword(sql, name, verifier);
          session.checkpoint();
          return false;
        }
        try {
          await makeBranch({
            session,
            name,
            mark,
            verifier,
            state,
            template: this.#settings.template,
            context,
            signal,
            step: (step) => this.#step(step, name),
            openDatabase: () => this.#open({ database: name }),
            endDatabase: (db) => this.#end(db),
          });
        } catch (error) {
          // Without the lock, another operation may be at work on the name: leave it be; the
          // next `ensure` finishes a half-made branch, `drop` removes it.
          if (!session.lost()) await twice(() => this.#remove(sql, name)).catch(() => {});
          throw error;
        }
        return true;
      });
      return { database: name, role: name, url: this.#urlFor(name, password), created };
    } catch (error) {
      throw branchErrorOf(error, context, signal?.aborted === true) ?? error;
    }
  }

  /** Drops the branch database and its role; idempotent (absent = done). */
  async drop(name: string): Promise<void> {
    if (!isBranchName(name)) {
      throw new BranchError("name_clash", `"${name}" is not a Switchyard branch name; nothing was dropped.`);
    }
    const context = this.#context(name);
    try {
      await this.#locked(name, context, undefined, async ({ sql, checkpoint }) => {
        context.stage = "look-up";
        checkDroppable(await readBranchState(sql, name), name);
        context.stage = "drop";
        checkpoint();
        await this.#remove(sql, name);
      });
    } catch (error) {
      throw branchErrorOf(error, context, false) ?? error;
    }
  }

  /** Ends the sessions of operations under way (which then fail as `unreachable`). */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((sql) => sql.end({ timeout: 5 })));
  }

  #context(name: string): BranchContext {
    return {
      stage: "connect",
      name,
      template: this.#settings.template,
      server: this.#server,
      adminUser: this.#adminUser,
    };
  }

  async #step(step: BranchStep, name: string): Promise<void> {
    await this.#onStep?.(step, name);
  }

  /** Runs `fn` in an admin session of its own holding the lock of `name` (`branch-session.ts`). */
  #locked<T>(
    name: string,
    context: BranchContext,
    signal: AbortSignal | undefined,
    fn: (session: BranchSession) => Promise<T>,
  ): Promise<T> {
    return withLockedSession(
      {
        open: (onclose) => this.#open({ onclose }),
        end: (sql) => this.#end(sql),
        name,
        server: this.#server,
        signal,
        onWaiting: () => this.#step("waiting", name),
      },
      (session) => {
        context.stage = "look-up";
        return fn(session);
      },
    );
  }

  /** A connection of an operation's own, which `close` ends should it be under way then. */
  #open(options: ConnectionOptions): postgres.Sql {
    const sql = postgres(this.#settings.url, { ...this.#connection, ...options });
    this.#sessions.add(sql);
    return sql;
  }

  async #end(sql: postgres.Sql): Promise<void> {
    this.#sessions.delete(sql);
    await sql.end({ timeout: 5 });
  }

  /** Drops the database (ending its sessions) and the role, each only where it is a branch's. */
  async #remove(sql: postgres.Sql, name: string): Promise<void> {
    const parts = droppableParts(await readBranchState(sql, name), name);
    if (parts.database) await sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`;
    if (parts.role) await sql`DROP ROLE IF EXISTS ${sql(name)}`;
  }

  #urlFor(name: string, password: string): string {
    const url = new URL(this.#settings.url);
    url.username = name;
    url.password = password;
    url.pathname = `/${name}`;
    url.hash = "";
    for (const key of ["user", "username", "password", "db", "database"]) url.searchParams.delete(key);
    return url.toString();
  }
}
