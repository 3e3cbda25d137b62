// Branch databases on the machine's PostgreSQL server (SWITCHYARD_TEST_POSTGRES_URL), reached
// directly: this file opens no Switchyard store. Every database and role it makes carries this
// run's random suffix, and all are dropped afterwards, failed tests included. Without a reachable
// server the file is skipped, except under CI=true, where that is a failure.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { branchPassword } from "../../src/actions/branch-name.js";
import {
  BranchError,
  type BrancherOptions,
  type BranchSettings,
  PostgresBrancher,
} from "../../src/actions/postgres-branch.js";
import { scramVerifier } from "../../src/actions/scram-verifier.js";
import { TEST_POSTGRES_URL } from "../support/app.js";
import { freePort } from "../support/child.js";

const SUFFIX = randomBytes(4).toString("hex");
const TEMPLATE = `switchyard_test_tpl_${SUFFIX}`;
const INSTALLATION = `icfg_test_${SUFFIX}`;
const MARK = `switchyard branch of ${INSTALLATION}`;
const KEY = randomBytes(32);

const admin = postgres(TEST_POSTGRES_URL, { max: 2, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
if (!reachable && process.env.CI === "true") {
  throw new Error("CI=true: the PostgreSQL server of the branch tests cannot be reached");
}

/** Databases and roles made outside the brancher, dropped after the file. */
const testDatabases = new Set<string>([TEMPLATE]);
const testRoles = new Set<string>();
const closers: (() => Promise<void>)[] = [];

function connectTo(url: string, database?: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {}, ...(database ? { database } : {}) });
  closers.push(() => sql.end({ timeout: 1 }));
  return sql;
}

function brancher(settings: Partial<BranchSettings> = {}, options: BrancherOptions = {}) {
  const b = new PostgresBrancher(
    { url: TEST_POSTGRES_URL, template: TEMPLATE, branchBy: "git-ref", ...settings },
    KEY,
    options,
  );
  closers.push(() => b.close());
  return b;
}

function request(gitRef: string | null, deploymentId = `dpl_${randomBytes(6).toString("hex")}`) {
  return { gitRef, deploymentId, installationId: INSTALLATION };
}

/** The admin URL with another user (trust authentication: no password needed). */
function urlAs(user: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.username = user;
  url.password = "";
  return url.toString();
}

async function exists(name: string): Promise<{ database: boolean; role: boolean }> {
  const [row] = await admin<{ database: boolean; role: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${name}) AS database,
           EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${name}) AS role`;
  return row as { database: boolean; role: boolean };
}

async function failure(promise: Promise<unknown>): Promise<BranchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BranchError);
  const branchError = error as BranchError;
  expect(branchError.message.length).toBeLessThanOrEqual(200);
  return branchError;
}

/** Makes a login role for the test. */
async function testRole(name: string, attributes: string): Promise<string> {
  const role = `switchyard_test_${name}_${SUFFIX}`;
  testRoles.add(role);
  await admin.unsafe(`CREATE ROLE "${role}" LOGIN ${attributes}`);
  return role;
}

/** Fills a template: two schemas' tables with a row, a view, a function, an enum, a large object. */
async function fillTemplate(url: string, database: string): Promise<void> {
  const tpl = postgres(url, { max: 1, onnotice: () => {}, database });
  try {
    await tpl.unsafe(`
      CREATE SCHEMA app;
      CREATE TYPE app.kind AS ENUM ('plain', 'fancy');
      CREATE TABLE app.items (id serial PRIMARY KEY, label text NOT NULL, kind app.kind DEFAULT 'plain');
      INSERT INTO app.items (label) VALUES ('from the template');
      CREATE VIEW app.labels AS SELECT label FROM app.items;
      CREATE FUNCTION app.item_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM app.items';
      CREATE TABLE public.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
      SELECT lo_create(0);
    `);
  } finally {
    await tpl.end({ timeout: 1 });
  }
}

beforeAll(async () => {
  if (!reachable) return;
  await admin.unsafe(`CREATE DATABASE "${TEMPLATE}"`);
  await fillTemplate(TEST_POSTGRES_URL, TEMPLATE);
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  if (reachable) {
    // The branches of this run by their mark, found whatever a failed test left behind.
    const branches = await admin<{ name: string }[]>`
      SELECT datname AS name FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE ${`${MARK}%`}
      UNION SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE ${`${MARK}%`}`;
    const names = [...branches.map((b) => b.name), ...testDatabases];
    for (const name of names) await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
    for (const name of [...branches.map((b) => b.name), ...testRoles]) {
      await admin`DROP ROLE IF EXISTS ${admin(name)}`;
    }
  }
  await admin.end({ timeout: 1 });
});

describe.skipIf(!reachable)("PostgresBrancher on PostgreSQL", () => {
  it("makes a clone of the template that the branch role owns, reads, writes and alone may connect to", async () => {
    const b = brancher();
    const branch = await b.ensure(request("main"));
    expect(branch).toMatchObject({ database: b.nameFor(request("main")), created: true });
    expect(branch.role).toBe(branch.database);

    const url = new URL(branch.url);
    const adminUrl = new URL(TEST_POSTGRES_URL);
    expect(url.host).toBe(adminUrl.host);
    expect(url.username).toBe(branch.role);
    expect(url.pathname).toBe(`/${branch.database}`);
    expect(url.password).toBe(branchPassword(KEY, branch.database));

    const db = connectTo(branch.url);
    const [who] = await db`SELECT current_user AS role, current_database() AS database`;
    expect(who).toEqual({ role: branch.role, database: branch.database });
    expect(await db`SELECT label FROM app.items`).toEqual([{ label: "from the template" }]);
    await db`INSERT INTO app.items (label, kind) VALUES ('from the branch', 'fancy')`;
    await db`INSERT INTO public.notes (body) VALUES ('a note')`;
    expect(await db`SELECT label FROM app.labels ORDER BY label`).toEqual([
      { label: "from the branch" },
      { label: "from the template" },
    ]);
    expect(await db`SELECT app.item_count()::int AS n`).toEqual([{ n: 2 }]);
    // An owner's right, not a grant: a preview deployment can run its migrations.
    await db`ALTER TABLE app.items ADD COLUMN note text`;
    await db`CREATE TABLE app.made_by_the_branch (id int)`;
    const notOwned = await db`
      WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user)
      SELECT 'schema ' || nspname AS object FROM pg_namespace
        WHERE nspname IN ('app') AND nspowner NOT IN (SELECT oid FROM me)
      UNION ALL SELECT 'relation ' || c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('app', 'public') AND c.relowner NOT IN (SELECT oid FROM me)
      UNION ALL SELECT 'routine ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('app', 'public') AND p.proowner NOT IN (SELECT oid FROM me)
      UNION ALL SELECT 'type ' || t.oid::regtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN ('app', 'public') AND t.typowner NOT IN (SELECT oid FROM me)
      UNION ALL SELECT 'large object ' || oid FROM pg_largeobject_metadata WHERE lomowner NOT IN (SELECT oid FROM me)`;
    expect(notOwned).toEqual([]);

    // The template is as it was.
    const tpl = connectTo(TEST_POSTGRES_URL, TEMPLATE);
    expect(await tpl`SELECT count(*)::int AS n FROM app.items`).toEqual([{ n: 1 }]);
    await tpl.end({ timeout: 1 });

    // Marked, of no power beyond its database, and private.
    const [facts] = await admin`
      SELECT shobj_description(d.oid, 'pg_database') AS mark, r.rolsuper, r.rolcreatedb, r.rolcreaterole
      FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ${branch.database}`;
    expect(facts).toEqual({ mark: MARK, rolsuper: false, rolcreatedb: false, rolcreaterole: false });
    const stranger = await testRole("stranger", "");
    const refused = await connectTo(urlAs(stranger), branch.database)`SELECT 1`.catch(
      (e: { code?: string }) => e,
    );
    expect(refused).toMatchObject({ code: "42501" });
  });

  it("keeps the password as a SCRAM verifier of the URL's password, computed as the server computes it", async () => {
    const b = brancher();
    const branch = await b.ensure(request("feature/password"));
    const [stored] = await admin<{ verifier: string }[]>`
      SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = ${branch.role}`;
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored?.verifier ?? "") ?? [];
    const password = decodeURIComponent(new URL(branch.url).password);
    expect(await scramVerifier(password, Buffer.from(salt ?? "", "base64"), Number(iterations))).toBe(
      stored?.verifier,
    );

    // The verifier as the server makes it from a password, for the same salt.
    const role = `switchyard_test_scram_${SUFFIX}`;
    testRoles.add(role);
    await admin.begin(async (tx) => {
      await tx`SET LOCAL password_encryption = 'scram-sha-256'`;
      await tx.unsafe(`CREATE ROLE "${role}" PASSWORD 'Correct-Horse_Battery.9'`);
    });
    const [server] = await admin<{ verifier: string }[]>`
      SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = ${role}`;
    const [, serverIterations, serverSalt] =
      /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(server?.verifier ?? "") ?? [];
    expect(
      await scramVerifier(
        "Correct-Horse_Battery.9",
        Buffer.from(serverSalt ?? "", "base64"),
        Number(serverIterations),
      ),
    ).toBe(server?.verifier);
  });

  it("reuses the branch of a git ref: same database, same URL, its data kept, created false", async () => {
    const first = await brancher().ensure(request("feature/reuse", "dpl_first"));
    await connectTo(first.url)`INSERT INTO app.items (label) VALUES ('written by the first deployment')`;
    // Another deployment of the ref, from another process with the same key.
    const again = await brancher().ensure(request("feature/reuse", "dpl_second"));
    expect(again).toEqual({ ...first, created: false });
    expect(await connectTo(again.url)`SELECT label FROM app.items ORDER BY id`).toEqual([
      { label: "from the template" },
      { label: "written by the first deployment" },
    ]);
  });

  it("makes a branch per deployment when branching by deployment, each closed to the other's role", async () => {
    const b = brancher({ branchBy: "deployment" });
    const one = await b.ensure(request("main", "dpl_one"));
    const two = await b.ensure(request("main", "dpl_two"));
    expect(one.created && two.created).toBe(true);
    expect(one.database).not.toBe(two.database);
    const crossed = new URL(two.url);
    crossed.username = one.role;
    crossed.password = new URL(one.url).password;
    const refused = await connectTo(crossed.toString())`SELECT 1`.catch((e: { code?: string }) => e);
    expect(refused).toMatchObject({ code: "42501" });
    // A retried action of the same deployment finds its branch.
    expect(await b.ensure(request("main", "dpl_one"))).toEqual({ ...one, created: false });
  });

  it("drops the database, ending its sessions, and the role; dropping again, or what never was, is done", async () => {
    const b = brancher();
    const branch = await b.ensure(request("feature/drop"));
    const session = connectTo(branch.url);
    await session`SELECT 1`;
    await b.drop(branch.database);
    expect(await exists(branch.database)).toEqual({ database: false, role: false });
    await expect(session`SELECT 1`).rejects.toThrow();
    await b.drop(branch.database);
    await b.drop(b.nameFor(request("feature/never-made")));
  });

  it("says template_busy while a session is connected to the template, and leaves nothing", async () => {
    const holder = connectTo(TEST_POSTGRES_URL, TEMPLATE);
    await holder`SELECT 1`;
    const b = brancher();
    const error = await failure(b.ensure(request("feature/busy")));
    expect(error.code).toBe("template_busy");
    expect(error.message).toContain(`"${TEMPLATE}" is in use: close every connection to it`);
    await holder.end({ timeout: 1 });
    expect(await exists(b.nameFor(request("feature/busy")))).toEqual({ database: false, role: false });

    // An admin URL on the template itself would keep it busy for ever: said before trying.
    const onTemplate = new URL(TEST_POSTGRES_URL);
    onTemplate.pathname = `/${TEMPLATE}`;
    const self = await failure(brancher({ url: onTemplate.toString() }).ensure(request("feature/busy")));
    expect(self.code).toBe("template_busy");
    expect(self.message).toContain("point it at another database");
  });

  it("says template_missing for a template that does not exist, and leaves nothing", async () => {
    const b = brancher({ template: `switchyard_test_missing_${SUFFIX}` });
    const error = await failure(b.ensure(request("feature/missing")));
    expect(error.code).toBe("template_missing");
    expect(error.message).toContain(`"switchyard_test_missing_${SUFFIX}" does not exist`);
    expect(await exists(b.nameFor(request("feature/missing")))).toEqual({ database: false, role: false });
  });

  it("never touches a database or role of a branch's name that is not this installation's branch", async () => {
    const b = brancher();
    const name = b.nameFor(request("feature/clash"));
    testDatabases.add(name);
    await admin`CREATE DATABASE ${admin(name)}`;
    const clash = await failure(b.ensure(request("feature/clash")));
    expect(clash.code).toBe("name_clash");
    expect(clash.message).toContain(`A database "${name}" exists that is not this installation's branch`);
    expect((await failure(b.drop(name))).code).toBe("name_clash");
    expect(await exists(name)).toEqual({ database: true, role: false });

    // Marked as another installation's branch: not this one's to reuse.
    await admin.unsafe(`COMMENT ON DATABASE "${name}" IS 'switchyard branch of icfg_someone_else'`);
    expect((await failure(b.ensure(request("feature/clash")))).code).toBe("name_clash");
    const [left] =
      await admin`SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = ${name}`;
    expect(left).toEqual({ mark: "switchyard branch of icfg_someone_else" });

    // A role of the name, not made by Switchyard.
    const roleName = b.nameFor(request("feature/clash-role"));
    testRoles.add(roleName);
    await admin`CREATE ROLE ${admin(roleName)}`;
    const roleClash = await failure(b.ensure(request("feature/clash-role")));
    expect(roleClash.code).toBe("name_clash");
    expect(roleClash.message).toContain(`A role "${roleName}" exists`);
    expect((await failure(b.drop(roleName))).code).toBe("name_clash");
    expect(await exists(roleName)).toEqual({ database: false, role: true });

    // Names not of a branch's shape are not even looked at.
    for (const other of ["postgres", TEMPLATE])
      expect((await failure(b.drop(other))).code).toBe("name_clash");
    expect(await exists(TEMPLATE)).toMatchObject({ database: true });
  });

  it("says permission_denied, naming the missing privilege, and leaves nothing", async () => {
    const noCreatedb = await testRole("nocreatedb", "CREATEROLE");
    const noCreaterole = await testRole("nocreaterole", "CREATEDB");
    const notOwner = await testRole("notowner", "CREATEDB CREATEROLE");
    const cases = [
      [noCreatedb, "grant it CREATEDB"],
      [noCreaterole, "grant it CREATEROLE"],
      [notOwner, `may not copy "${TEMPLATE}": make it the template's owner`],
    ] as const;
    for (const [role, says] of cases) {
      const b = brancher({ url: urlAs(role) });
      const error = await failure(b.ensure(request(`feature/${role}`)));
      expect(error.code, role).toBe("permission_denied");
      expect(error.message).toContain(`The admin role "${role}"`);
      expect(error.message).toContain(says);
      expect(await exists(b.nameFor(request(`feature/${role}`)))).toEqual({ database: false, role: false });
    }
  });

  it("works with an admin that is no superuser, only CREATEDB and CREATEROLE and the template's owner", async () => {
    const owner = await testRole("admin", "CREATEDB CREATEROLE");
    const template = `switchyard_test_tpl_own_${SUFFIX}`;
    testDatabases.add(template);
    const asOwner = connectTo(urlAs(owner));
    await asOwner`CREATE DATABASE ${asOwner(template)}`;
    await fillTemplate(urlAs(owner), template);

    const b = brancher({ url: urlAs(owner), template });
    const branch = await b.ensure(request("feature/own-admin"));
    const db = connectTo(branch.url);
    expect(await db`SELECT label FROM app.items`).toEqual([{ label: "from the template" }]);
    await db`INSERT INTO app.items (label) VALUES ('from the branch')`;
    await db`ALTER TABLE app.items ADD COLUMN note text`;
    const stranger = await testRole("stranger2", "");
    const refused = await connectTo(urlAs(stranger), branch.database)`SELECT 1`.catch(
      (e: { code?: string }) => e,
    );
    expect(refused).toMatchObject({ code: "42501" });

    await b.drop(branch.database);
    expect(await exists(branch.database)).toEqual({ database: false, role: false });
  });

  it("makes one database when two deployments of a ref ask at once, the second waiting for the first", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstHasLock = () => {};
    const firstLocked = new Promise<void>((resolve) => {
      firstHasLock = resolve;
    });
    let secondWaits = () => {};
    const secondWaiting = new Promise<void>((resolve) => {
      secondWaits = resolve;
    });
    const a = brancher(
      {},
      {
        onStep: async (step) => {
          if (step !== "role") return;
          firstHasLock();
          await gate;
        },
      },
    );
    const b = brancher({}, { onStep: (step) => void (step === "waiting" && secondWaits()) });
    const first = a.ensure(request("feature/together", "dpl_a"));
    await firstLocked;
    const second = b.ensure(request("feature/together", "dpl_b"));
    await secondWaiting;
    release();
    const [one, two] = await Promise.all([first, second]);
    expect(one.created).toBe(true);
    expect(two).toEqual({ ...one, created: false });

    // Three at once, on one brancher and without help: one makes it, all succeed.
    const c = brancher();
    const all = await Promise.all(["x", "y", "z"].map((d) => c.ensure(request("feature/three", `dpl_${d}`))));
    expect(all.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(all.map((r) => r.url)).size).toBe(1);
  });

  it("stops at an abort between any two steps with canceled, and removes what it had made", async () => {
    const before = await failure(brancher().ensure(request("feature/abort"), AbortSignal.abort()));
    expect(before.code).toBe("canceled");
    for (const at of ["role", "database", "owned", "sealed"] as const) {
      const controller = new AbortController();
      const b = brancher({}, { onStep: (step) => void (step === at && controller.abort()) });
      const error = await failure(b.ensure(request(`feature/abort-${at}`), controller.signal));
      expect(error.code, at).toBe("canceled");
      expect(await exists(b.nameFor(request(`feature/abort-${at}`))), at).toEqual({
        database: false,
        role: false,
      });
    }
    // A reused branch is shared: an abort leaves it be.
    const b = brancher();
    const shared = await b.ensure(request("feature/abort-shared"));
    expect((await failure(b.ensure(request("feature/abort-shared"), AbortSignal.abort()))).code).toBe(
      "canceled",
    );
    expect(await exists(shared.database)).toEqual({ database: true, role: true });
  });

  it("leaves a branch half-made when its session is lost, and the next ensure finishes it or drop removes it", async () => {
    // The admin session is killed after the database step: the lock went with it, so nothing is undone.
    const killSession = async (step: string) => {
      if (step !== "database") return;
      await admin`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'switchyard-branch' AND datname = current_database()`;
    };
    const lost = await failure(brancher({}, { onStep: killSession }).ensure(request("feature/half")));
    expect(lost.code).toBe("unreachable");
    const b = brancher();
    const name = b.nameFor(request("feature/half"));
    const [half] = await admin`
      SELECT shobj_description(oid, 'pg_database') AS mark, pg_get_userbyid(datdba)::text AS owner
      FROM pg_database WHERE datname = ${name}`;
    expect(half).toEqual({ mark: null, owner: name });

    const finished = await b.ensure(request("feature/half"));
    expect(finished.created).toBe(true);
    const db = connectTo(finished.url);
    await db`INSERT INTO app.items (label) VALUES ('after the repair')`;
    expect(await db`SELECT count(*)::int AS n FROM app.items`).toEqual([{ n: 2 }]);
    await db.end({ timeout: 1 });

    await failure(brancher({}, { onStep: killSession }).ensure(request("feature/half-dropped")));
    const halfDropped = b.nameFor(request("feature/half-dropped"));
    expect(await exists(halfDropped)).toEqual({ database: true, role: true });
    await b.drop(halfDropped);
    expect(await exists(halfDropped)).toEqual({ database: false, role: false });
  });

  it("cancels a wait for another deployment's lock on the server when aborted", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstHasLock = () => {};
    const firstLocked = new Promise<void>((resolve) => {
      firstHasLock = resolve;
    });
    const a = brancher(
      {},
      {
        onStep: async (step) => {
          if (step !== "role") return;
          firstHasLock();
          await gate;
        },
      },
    );
    const first = a.ensure(request("feature/abort-wait", "dpl_a"));
    await firstLocked;
    const controller = new AbortController();
    const second = brancher().ensure(request("feature/abort-wait", "dpl_b"), controller.signal);
    // Until the server has the second waiting on the lock (not a timer: a condition on the server).
    for (;;) {
      const [row] = await admin<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'switchyard-branch'`;
      if (row && row.n > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort();
    expect((await failure(second)).code).toBe("canceled");
    release();
    expect((await first).created).toBe(true);
  });

  it("says unreachable for a server that does not answer, and permission_denied for a refused login, without the password", async () => {
    const port = await freePort();
    const down = new PostgresBrancher(
      {
        url: `postgres://postgres:hunter2-secret@127.0.0.1:${port}/test`,
        template: TEMPLATE,
        branchBy: "git-ref",
      },
      KEY,
      { connectTimeoutSeconds: 2 },
    );
    closers.push(() => down.close());
    const error = await failure(down.ensure(request("main")));
    expect(error.code).toBe("unreachable");
    expect(error.message).toBe(`PostgreSQL at 127.0.0.1:${port} cannot be reached (ECONNREFUSED).`);
    expect((await failure(down.drop("sy_main_0123456789"))).code).toBe("unreachable");

    const unknown = new URL(TEST_POSTGRES_URL);
    unknown.username = `switchyard_test_nobody_${SUFFIX}`;
    unknown.password = "hunter2-secret";
    const refused = await failure(brancher({ url: unknown.toString() }).ensure(request("main")));
    expect(refused.code).toBe("permission_denied");
    expect(refused.message).toContain("refused the admin login");
    for (const e of [error, refused]) expect(`${e.message} ${String(e.stack)}`).not.toContain("hunter2");
  });
});
