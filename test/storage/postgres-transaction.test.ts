// The pipelined transaction the PostgreSQL store claims and records outcomes in: BEGIN sent with
// the first statements, COMMIT with the last; all or nothing, and the connection reusable after.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelinedTransaction, type Sql } from "../../src/storage/postgres/connection.js";
import { TEST_POSTGRES_URL } from "../support/app.js";

const schema = `sy_test_${randomBytes(6).toString("hex")}`;
let sql: Sql;

const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });

beforeAll(async () => {
  await admin.unsafe(
    `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, note text NOT NULL)`,
  );
  // One connection: each transaction waits for the one before it to give it back, so a connection
  // not returned, or returned inside a transaction, shows in the next test.
  sql = postgres(TEST_POSTGRES_URL, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema },
  }) as unknown as Sql;
});

afterAll(async () => {
  await sql.end();
  await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const count = async () => (await sql<{ n: number }[]>`SELECT count(*)::integer AS n FROM items`)[0]?.n;

describe("pipelinedTransaction", () => {
  it("commits what work sent, and answers the rows of the statement sent with the commit", async () => {
    const rows = await pipelinedTransaction(sql, async (tx, commit) => {
      await tx`INSERT INTO items VALUES (1, 'a')`;
      return commit(tx<{ id: number }[]>`INSERT INTO items VALUES (2, 'b') RETURNING id`);
    });
    expect(rows?.map((r) => r.id)).toEqual([2]);
    expect(await count()).toBe(2);
  });

  it("commits after work when work does not", async () => {
    const n = await pipelinedTransaction(sql, async (tx) => {
      await tx`INSERT INTO items VALUES (3, 'c')`;
      return (await tx<{ n: number }[]>`SELECT count(*)::integer AS n FROM items`)[0]?.n;
    });
    expect(n).toBe(3);
    expect(await count()).toBe(3);
  });

  it("keeps nothing when a statement sent with the commit fails, and rejects with its error", async () => {
    const failed = pipelinedTransaction(sql, async (tx, commit) => {
      await tx`INSERT INTO items VALUES (4, 'd')`;
      // A repeat of a stored key: the transaction aborts, so COMMIT rolls it back.
      await commit(tx`INSERT INTO items VALUES (1, 'again')`);
    });
    await expect(failed).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(3);
  });

  it("rolls back when work throws, and the connection serves the next transaction", async () => {
    const failed = pipelinedTransaction(sql, async (tx) => {
      await tx`INSERT INTO items VALUES (5, 'e')`;
      throw new Error("work failed");
    });
    await expect(failed).rejects.toThrow("work failed");
    // The one connection came back in no transaction: what follows commits on its own.
    await pipelinedTransaction(sql, async (tx, commit) => {
      await commit(tx`INSERT INTO items VALUES (6, 'f')`);
    });
    const ids = await sql<{ id: number }[]>`SELECT id FROM items ORDER BY id`;
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3, 6]);
    // Outside a transaction block a savepoint is refused.
    await expect(sql`SAVEPOINT probe`).rejects.toMatchObject({ code: "25P01" });
  });

  it("rolls back statements sent together when one of them fails first", async () => {
    const failed = pipelinedTransaction(sql, async (tx) => {
      await Promise.all([tx`INSERT INTO items VALUES (1, 'dup')`, tx`INSERT INTO items VALUES (7, 'g')`]);
    });
    await expect(failed).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(4);
  });

  it("gives up a connection the server dropped, and the next transaction runs on a new one", async () => {
    const failed = pipelinedTransaction(sql, async (tx) => {
      const [own] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      await admin`SELECT pg_terminate_backend(${own?.pid ?? 0})`;
      await tx`INSERT INTO items VALUES (8, 'h')`;
    });
    await expect(failed).rejects.toBeInstanceOf(Error);
    // The next transaction runs on a new connection of the one-slot pool, whether it asked before
    // or after the pool saw the close; the server's notice of the drop (57P01) stays with the old one.
    await pipelinedTransaction(sql, async (tx, commit) => {
      await commit(tx`INSERT INTO items VALUES (9, 'i')`);
    });
    const ids = await sql<{ id: number }[]>`SELECT id FROM items ORDER BY id`;
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3, 6, 9]);
  });
});
