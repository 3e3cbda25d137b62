// What postgres.js does when the server closes a connection that is reserved or inside a
// transaction: every query settles, and the pool serves the next caller on a new connection. These
// are the faults scripts/patch-postgres.mjs fixes in 3.4.9 (without it, each test below hangs or
// fails); the store's transactions (pipelinedTransaction, sql.begin) stand on them. A backend ends
// its own session with `pg_terminate_backend(pg_backend_pid())`, so no other session is touched.
import postgres from "postgres";
import { afterEach, expect, it } from "vitest";
import { TEST_POSTGRES_URL } from "../support/app.js";

type Pool = postgres.Sql;
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end({ timeout: 1 })));
});

/**
 * A pool of one connection; `closes()` resolves at the next close the pool reports. `max_pipeline`
 * (queries sent ahead on a connection) is an option the driver reads but its types leave out.
 */
function pool(options: { max_pipeline?: number } = {}): { sql: Pool; closes: () => Promise<void> } {
  const waiting: (() => void)[] = [];
  const sql = postgres(TEST_POSTGRES_URL, {
    max: 1,
    onnotice: () => {},
    onclose: () => {
      for (const wake of waiting.splice(0)) wake();
    },
    ...(options as postgres.Options<Record<string, never>>),
  });
  pools.push(sql);
  const closes = () => new Promise<void>((resolve) => waiting.push(resolve));
  return { sql, closes };
}

/** What a query settled with: its rows' first `n`, or its error's code. */
async function settle(query: PromiseLike<{ n: number }[]>): Promise<number | string> {
  try {
    const [row] = await query;
    return row?.n ?? -1;
  } catch (error) {
    return String((error as { code?: string }).code ?? error);
  }
}

const selfTerminate = "SELECT pg_terminate_backend(pg_backend_pid())";

it("a reserve waiting for the pool's one connection gets a new one when the server closes it", async () => {
  const { sql, closes } = pool();
  const held = await sql.reserve();
  const waiting = sql.reserve();
  const closed = closes();
  await settle(held.unsafe(selfTerminate));
  await closed;
  const next = await waiting;
  expect(await settle(next<{ n: number }[]>`SELECT 7 AS n`)).toBe(7);
  next.release();
  expect(await settle(sql<{ n: number }[]>`SELECT 8 AS n`)).toBe(8);
});

it("a reserved handle whose connection closed fails what it sends next, and releasing it harms no one", async () => {
  const { sql, closes } = pool();
  const reserved = await sql.reserve();
  const closed = closes();
  await settle(reserved.unsafe(selfTerminate));
  await closed;
  expect(await settle(reserved<{ n: number }[]>`SELECT 1 AS n`)).toBe("CONNECTION_CLOSED");
  reserved.release();
  // The pool reconnects its one connection, for a plain query and for a new reserve alike.
  expect(await settle(sql<{ n: number }[]>`SELECT 2 AS n`)).toBe(2);
  const again = await sql.reserve();
  expect(await settle(again<{ n: number }[]>`SELECT 3 AS n`)).toBe(3);
  again.release();
});

it("queries queued in a reserved handle settle when its connection closes", async () => {
  // One query in the pipeline at a time: the third waits in the handle's own queue.
  const { sql } = pool({ max_pipeline: 1 });
  const reserved = await sql.reserve();
  const outcomes = await Promise.all([
    settle(reserved.unsafe(selfTerminate)),
    settle(reserved<{ n: number }[]>`SELECT 1 AS n`),
    settle(reserved<{ n: number }[]>`SELECT 2 AS n`),
  ]);
  for (const outcome of outcomes) expect(typeof outcome).toBe("string");
  expect(outcomes[2]).toBe("CONNECTION_CLOSED");
  expect(await settle(sql<{ n: number }[]>`SELECT 4 AS n`)).toBe(4);
});

it("a transaction whose connection closes rejects with every query it queued, and the pool goes on", async () => {
  const { sql } = pool({ max_pipeline: 1 });
  let body: Promise<(number | string)[]> | undefined;
  const transaction = sql.begin((tx) => {
    body = (async () => {
      const outcomes = await Promise.all([
        settle(tx.unsafe(selfTerminate)),
        settle(tx<{ n: number }[]>`SELECT 1 AS n`),
        settle(tx<{ n: number }[]>`SELECT 2 AS n`),
      ]);
      // Sent after the close: refused, never written to the connection the pool reconnects.
      outcomes.push(await settle(tx<{ n: number }[]>`SELECT 3 AS n`));
      return outcomes;
    })();
    return body;
  });
  await expect(transaction).rejects.toBeInstanceOf(Error);
  const outcomes = (await body) ?? [];
  expect(outcomes).toHaveLength(4);
  for (const outcome of outcomes) expect(typeof outcome).toBe("string");
  expect(outcomes[3]).toBe("CONNECTION_CLOSED");
  expect(await settle(sql<{ n: number }[]>`SELECT 5 AS n`)).toBe(5);
});
