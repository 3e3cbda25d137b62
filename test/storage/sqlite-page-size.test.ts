// Runs on SQLite only: it opens database files of its own with the SQLite writer's connection.
// A new database file is made with 8 KiB pages (events of a few KB share them); a file
// made before with another page size keeps it and still opens.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { openWriter } from "../../src/storage/sqlite/connection.js";
import { migrate } from "../../src/storage/sqlite/migrations.js";
import { tempDir } from "../support/app.js";

const temp = tempDir();
afterAll(() => temp.cleanup());

it("makes a new database file with 8 KiB pages, in WAL, checkpointed every ~4 MiB of log", () => {
  const db = openWriter(join(temp.dir, "new", "switchyard.db"));
  migrate(db);
  expect(db.pragma("page_size", { simple: true })).toBe(8_192);
  expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(512);
  expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  db.close();
});

it("leaves the page size of an existing file as it was", () => {
  const path = join(temp.dir, "old.db");
  const old = new Database(path);
  old.pragma("journal_mode = WAL");
  old.exec("CREATE TABLE kept (id INTEGER PRIMARY KEY, note TEXT)");
  old.prepare("INSERT INTO kept (note) VALUES (?)").run("before");
  expect(old.pragma("page_size", { simple: true })).toBe(4_096);
  old.close();
  const db = openWriter(path);
  expect(db.pragma("page_size", { simple: true })).toBe(4_096);
  expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1_024);
  expect(db.prepare("SELECT note FROM kept").pluck().get()).toBe("before");
  db.close();
});
