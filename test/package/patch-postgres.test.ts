// The fix of postgres.js is applied at install by scripts/patch-postgres.mjs, in this repository
// and in an application that installs the package; the chaos test (test/chaos) shows what it
// prevents, and test/storage/postgres-driver-drops.test.ts the pool's side. Here: that the
// installed driver carries it, and that the script turns 3.4.9's original code into exactly that
// (as well as a driver an earlier version of the script fixed in part), changes nothing the
// second time, and refuses other code.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the scripts folder, without types.
import { PATCHES } from "../../scripts/patch-postgres.mjs";
import { tempDir } from "../support/app.js";

const script = join("scripts", "patch-postgres.mjs");
const installed = join("node_modules", "postgres");
type Hunk = { original: string; fixed: string };
const patches = PATCHES as { file: string; hunks: Hunk[] }[];
const files = patches.map((p) => p.file);
const temp = tempDir();
afterAll(() => temp.cleanup());

/** Runs the script on `dir`; its exit code and output, whatever the code. */
async function run(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, dir]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A copy of the installed driver's fixed files with the fix taken out again, all of it or the
 * changes `undo` picks.
 */
function originalCopy(
  name: string,
  edit: (source: string) => string = (s) => s,
  undo: (file: string, index: number) => boolean = () => true,
): string {
  const dir = join(temp.dir, name);
  for (const { file, hunks } of patches) {
    let source = readFileSync(join(installed, file), "utf8");
    hunks.forEach((hunk, index) => {
      if (undo(file, index)) source = source.replace(hunk.fixed, hunk.original);
    });
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), edit(source));
  }
  return dir;
}

it("the installed postgres.js carries every change, in its ES module and its CommonJS build", () => {
  for (const { file, hunks } of patches) {
    const source = readFileSync(join(installed, file), "utf8");
    for (const hunk of hunks) expect(source).toContain(hunk.fixed);
  }
  expect(files).toEqual(
    expect.arrayContaining(["src/index.js", "cjs/src/connection.js", "cjs/src/queue.js"]),
  );
});

it("fixes 3.4.9's original code into the installed code, and a second run changes nothing", async () => {
  const dir = originalCopy("original");
  for (const file of files)
    expect(readFileSync(join(dir, file), "utf8")).not.toContain("closed while a write was buffered");
  const first = await run(dir);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain("fixed postgres.js");
  for (const file of files) {
    expect(readFileSync(join(dir, file), "utf8")).toBe(readFileSync(join(installed, file), "utf8"));
  }
  const second = await run(dir);
  expect(second).toEqual({ code: 0, stdout: "", stderr: "" });
});

it("completes a driver that an earlier version of the script fixed in part", async () => {
  // That version changed connection.js's first three places only.
  const dir = originalCopy(
    "earlier",
    undefined,
    (file, index) => !(file.endsWith("connection.js") && index < 3),
  );
  expect(readFileSync(join(dir, "src/connection.js"), "utf8")).toContain("closed while a write was buffered");
  expect(readFileSync(join(dir, "src/index.js"), "utf8")).not.toContain("queries.peek()");
  const first = await run(dir);
  expect(first.code).toBe(0);
  for (const file of files) {
    expect(readFileSync(join(dir, file), "utf8")).toBe(readFileSync(join(installed, file), "utf8"));
  }
});

it("refuses code it does not know (exit 1, naming the file) and leaves it as it was", async () => {
  const dir = originalCopy("other", (s) => s.replace("    if (socket) {\n", "    if (socket != null) {\n"));
  const before = readFileSync(join(dir, files[0] as string), "utf8");
  const result = await run(dir);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(join(dir, files[0] as string));
  expect(result.stderr).toContain("needs postgres@3.4.9");
  expect(readFileSync(join(dir, files[0] as string), "utf8")).toBe(before);
});
