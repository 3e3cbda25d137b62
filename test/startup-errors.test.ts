// Runs on SQLite only: the files that stop `serve` are SQLite's database files.
// What `switchyard serve` says when its files stop it: the problem and the file, on stderr, and
// a non-zero exit at once (nothing is retried for a local file). Run through the real CLI; as
// root, without root's power to ignore file modes (runCli's fileModes).
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./support/app.js";
import { runCli } from "./support/child.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function folder(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(() => {
    chmodSync(dir, 0o700);
    cleanup();
  });
  return dir;
}

/**
 * A config file in `dir` on the SQLite file `db`, with an admin token and a secret key unless
 * `adminToken` is false (then both are generated into the credentials file).
 */
function config(dir: string, db: string, { adminToken = true } = {}): string {
  const file = join(dir, "switchyard.yaml");
  const lines = [`database: { url: "sqlite:${db}" }`, "server: { host: 127.0.0.1, port: 0 }"];
  if (adminToken) {
    lines.push("adminToken: startup-admin-token-0123456789");
    lines.push(`encryptionKey: ${Buffer.alloc(32, 1).toString("base64")}`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const serve = (file: string) => runCli(["serve", "--config", file], { fileModes: true });

describe("start-up errors name the problem and the file", () => {
  it("an unwritable data folder: the database, the data folder or the credentials file it cannot create", {
    timeout: 60_000,
  }, async () => {
    const dir = folder();
    const locked = join(dir, "locked");
    mkdirSync(locked, { mode: 0o500 });
    chmodSync(locked, 0o500);

    const db = await serve(config(dir, join(locked, "switchyard.db")));
    expect(db.stderr).toBe(
      `switchyard: cannot create the SQLite database ${locked}/switchyard.db: permission denied\n`,
    );
    expect(db.code).toBe(1);

    const nested = await serve(config(dir, join(locked, "data", "switchyard.db")));
    expect(nested.stderr).toBe(
      `switchyard: cannot create the data folder ${locked}/data: permission denied\n`,
    );
    expect(nested.code).toBe(1);

    const credentials = await serve(config(dir, join(locked, "switchyard.db"), { adminToken: false }));
    expect(credentials.stderr).toBe(
      `switchyard: cannot write the credentials file ${locked}/credentials.json: permission denied\n`,
    );
    expect(credentials.code).toBe(1);
  });

  it("a database path SQLite cannot open says which file, never [object Object]", async () => {
    const dir = folder();
    const notAFile = join(dir, "a-folder.db");
    mkdirSync(notAFile);
    const result = await serve(config(dir, notAFile));
    expect(result.stderr).toBe(
      `switchyard: cannot open the SQLite database ${notAFile}: unable to open database file\n`,
    );
    expect(result.code).toBe(1);
  });

  it("a damaged credentials.json names the file and what is wrong with it", { timeout: 60_000 }, async () => {
    const dir = folder();
    const data = join(dir, "data");
    mkdirSync(data);
    const file = config(dir, join(data, "switchyard.db"), { adminToken: false });
    const credentials = join(data, "credentials.json");
    writeFileSync(credentials, '{"adminToken": ');
    const truncated = await serve(file);
    expect(truncated.stderr).toBe(
      `switchyard: the credentials file ${credentials} is not valid JSON (Unexpected end of JSON input): repair it, or remove it to have a new admin token, webhook secret and secret key generated (secrets stored with the old key can then no longer be read)\n`,
    );
    expect(truncated.code).toBe(1);
    writeFileSync(credentials, '{"adminToken": 42}');
    const wrong = await serve(file);
    expect(wrong.stderr).toContain(
      `switchyard: the credentials file ${credentials} is not a JSON object of string adminToken, vercelSecret and encryptionKey`,
    );
    expect(wrong.code).toBe(1);
  });

  it("a read-only database fails at once, naming the file, instead of waiting for it", {
    timeout: 90_000,
  }, async () => {
    const dir = folder();
    const path = join(dir, "switchyard.db");
    const file = config(dir, path);
    expect((await runCli(["migrate", "--config", file])).code).toBe(0);
    chmodSync(path, 0o400);
    const result = await serve(file);
    expect(result.stderr).toBe(
      `switchyard: the SQLite database file ${path} is read-only (no write permission, or a read-only file system): Switchyard needs to write it\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("trying again");
  });
});
