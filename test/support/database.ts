import Database from "../../src/storage/sqlite/driver.js";
import { TEST_POSTGRES_URL, TEST_STORE, type TestApp } from "./app.js";

/**
 * Runs SQL on a test app's own database, past the store: how a test makes one row fail for real
 * (a trigger that raises) or reads what a store wrote. `sqlite` and `postgres` are the same change
 * in each dialect; the one for the store the suite runs on is run.
 */
export async function execOnAppDatabase(
  app: Pick<TestApp, "dbPath" | "schema">,
  sql: { sqlite: string; postgres: string },
): Promise<void> {
  if (TEST_STORE === "postgres") {
    const { default: postgres } = await import("postgres");
    const pg = postgres(TEST_POSTGRES_URL, {
      max: 1,
      onnotice: () => {},
      connection: { search_path: app.schema },
    });
    try {
      await pg.unsafe(sql.postgres).simple();
    } finally {
      await pg.end({ timeout: 1 });
    }
    return;
  }
  const db = new Database(app.dbPath);
  try {
    db.pragma("busy_timeout = 5000");
    db.exec(sql.sqlite);
  } finally {
    db.close();
  }
}

/** A trigger on `table` that makes an INSERT fail (not the store being unavailable) when `condition` holds for the new row. */
export function failingInsert(table: string, condition: string) {
  const name = `fail_${table}`;
  return {
    sqlite: `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} WHEN ${condition}
      BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;`,
    postgres: `
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${condition} THEN RAISE EXCEPTION 'refused by a test trigger'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`,
  };
}
