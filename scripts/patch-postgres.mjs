// Fixes postgres.js 3.4.9 where it is installed, at every install (this package's and an
// application's that depends on it): a connection closing while a small write was buffered threw
// from a timer (`socket.write` on a null socket) and ended the process, and the cancelled timer
// was never reset, so the pool's reconnect of that connection never flushed its start-up message.
// The fix fails the waiting query with CONNECTION_CLOSED and resets the write buffer on close.
// Upstream: porsager/postgres#1154 and #1208, unfixed in 3.4.9, the latest release.
//
// Usage: node scripts/patch-postgres.mjs [postgres package folder]
// Without a folder it patches the `postgres` this file resolves, the one Switchyard loads. Running
// it again changes nothing; a file that holds neither the fixed nor the original code stops it
// with exit 1, naming the file, rather than leave a process that a database restart can end.
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const POSTGRES_VERSION = "3.4.9";
export const FILES = ["src/connection.js", "cjs/src/connection.js"];
const MARKER = "// The connection closed while a write was buffered";

/** Each change: the original text (found exactly once) and what replaces it. */
export const HUNKS = [
  {
    original: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    fixed: [
      "  function nextWrite(fn) {",
      "    if (!socket) {",
      `      ${MARKER}: fail what waits on it instead of`,
      "      // throwing from a timer, which would take the whole process down.",
      "      chunk = nextWriteTimer = null",
      "      error(Errors.connection('CONNECTION_CLOSED', options))",
      "      return false",
      "    }",
      "    const x = socket.write(chunk, fn)",
      "",
    ].join("\n"),
  },
  {
    // terminate(): a cancelled timer left non-null stops every later small write from flushing.
    original: "    clearImmediate(nextWriteTimer)\n    if (socket) {\n",
    fixed: "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {\n",
  },
  {
    // closed(): the same, and the bytes meant for the closed socket are not sent on the next one.
    original: "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n",
    fixed:
      "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)\n",
  },
];

/** The fixed text of one connection.js, or null when it is already fixed; throws when it is neither. */
export function fixedSource(source, file) {
  if (source.includes(MARKER) && HUNKS.every((h) => source.includes(h.fixed))) return null;
  let out = source;
  for (const hunk of HUNKS) {
    const at = out.indexOf(hunk.original);
    if (at === -1 || out.indexOf(hunk.original, at + 1) !== -1) {
      throw new Error(
        `${file} is not postgres.js ${POSTGRES_VERSION}'s connection.js (a change does not apply); ` +
          `Switchyard needs postgres@${POSTGRES_VERSION}`,
      );
    }
    out = out.slice(0, at) + hunk.fixed + out.slice(at + hunk.original.length);
  }
  return out;
}

/** Patches the package in `dir`; answers the files it changed. */
export function patchPostgres(dir) {
  const changed = [];
  for (const name of FILES) {
    const file = join(dir, name);
    const fixed = fixedSource(readFileSync(file, "utf8"), file);
    if (fixed === null) continue;
    // Written beside and renamed, so an interrupted install never leaves half a file.
    writeFileSync(`${file}.switchyard-tmp`, fixed);
    renameSync(`${file}.switchyard-tmp`, file);
    changed.push(file);
  }
  return changed;
}

/** The folder of the `postgres` package that code beside this file imports. */
function resolvedPostgres() {
  // Its exports hide package.json, so walk up from its entry to the folder that holds it.
  let dir = dirname(createRequire(import.meta.url).resolve("postgres"));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "cjs"))) {
    if (dirname(dir) === dir) throw new Error("postgres.js is not installed");
    dir = dirname(dir);
  }
  return dir;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = process.argv[2] ?? resolvedPostgres();
    const changed = patchPostgres(dir);
    if (changed.length > 0) console.log(`switchyard: fixed postgres.js in ${changed.join(", ")}`);
  } catch (error) {
    console.error(`switchyard: ${error.message}`);
    process.exit(1);
  }
}
