// Fixes postgres.js 3.4.9 where it is installed, at every install (this package's and an
// application's that depends on it). Each fix is about a connection the server closes:
//
// - connection.js: a connection closing while a small write was buffered threw from a timer
//   (`socket.write` on a null socket) and ended the process, and the cancelled timer was never
//   reset, so the pool's reconnect of that connection never flushed its start-up message. The fix
//   fails the waiting query with CONNECTION_CLOSED and resets the write buffer on close
//   (upstream porsager/postgres#1154, #1208). Also, the closed session's last query and error (the
//   57P01 of a terminated backend) were answered on the reconnect, failing whoever it was for; they
//   are dropped with the session.
// - index.js and queue.js: a `reserve()` waiting for a connection that closed was handed to the
//   reconnect and dropped there, so it never settled and its connection sat idle (#1195). A
//   reserved or transaction handle whose connection closed went on writing to it, taking it from
//   the pool for good or writing into another caller's reconnect, and what waited in its queue
//   never settled (#1186, #1199). The fix keeps the waiting reserve in the pool's queue, and fails
//   with CONNECTION_CLOSED what such a handle holds or sends after the close.
//
// All unfixed in 3.4.9, the latest release.
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

/** Each change: the original text (found exactly once) and what replaces it. */
const CONNECTION = [
  {
    original: "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    fixed: [
      "  function nextWrite(fn) {",
      "    if (!socket) {",
      "      // The connection closed while a write was buffered: fail what waits on it instead of",
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
  {
    // closed(): the query in flight has failed; left set, it and the server's last error (the
    // 57P01 of a terminated backend) were answered on the reconnect, failing whatever it was for.
    original: [
      "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))",
      "    closedTime = performance.now()",
      "",
    ].join("\n"),
    fixed: [
      "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))",
      "    query = results = errorResponse = null",
      "    result = new Result()",
      "    closedTime = performance.now()",
      "",
    ].join("\n"),
  },
];

const POOL = [
  // reserve(): the handle owns its connection until release or close, and no longer after.
  {
    original: "    c.reserved = () => queue.length\n",
    fixed: "    const own = c.reserved = () => queue.length\n",
  },
  {
    original: "    c.reserved.release = true\n",
    fixed: [
      "    c.reserved.release = true",
      "    // The reserved connection closed: what waits in this handle's queue fails, and the handle",
      "    // sends nothing more, since the pool reconnects that connection for others.",
      "    c.onclose = () => {",
      "      while (queue.length)",
      "        queue.shift().reject(Errors.connection('CONNECTION_CLOSED', options))",
      "    }",
      "",
    ].join("\n"),
  },
  {
    original: "    sql.release = () => {\n      c.reserved = null\n",
    fixed:
      "    sql.release = () => {\n      if (c.reserved !== own)\n        return\n      c.reserved = c.onclose = null\n",
  },
  {
    original: "    function handler(q) {\n      c.queue === full\n",
    fixed: [
      "    function handler(q) {",
      "      if (c.reserved !== own)",
      "        return q.reject(Errors.connection('CONNECTION_CLOSED', options))",
      "      c.queue === full",
      "",
    ].join("\n"),
  },
  {
    // begin(): the transaction's queue fails with its connection's close.
    original: "        new Promise((_, reject) => connection.onclose = reject)\n",
    fixed: [
      "        new Promise((_, reject) => connection.onclose = e => {",
      "          while (queries.length)",
      "            queries.shift().reject(Errors.connection('CONNECTION_CLOSED', options))",
      "          reject(e)",
      "        })",
      "",
    ].join("\n"),
  },
  {
    // begin()'s scope: nothing is sent on a connection the transaction no longer holds.
    original: [
      "        q.catch(e => uncaughtError || (uncaughtError = e))",
      "        c.queue === full",
      "",
    ].join("\n"),
    fixed: [
      "        q.catch(e => uncaughtError || (uncaughtError = e))",
      "        if (!c.reserved)",
      "          return q.reject(Errors.connection('CONNECTION_CLOSED', options))",
      "        c.queue === full",
      "",
    ].join("\n"),
  },
  {
    // onclose(): a waiting reserve stays first in the queue, as reserve() itself leaves it; the
    // reconnect only opens the connection, and onopen hands it over.
    original: "    queries.length && connect(c, queries.shift())\n",
    fixed: "    queries.length && connect(c, queries.peek().reserve ? queries.peek() : queries.shift())\n",
  },
];

const QUEUE = [
  {
    original: "    push: (x) => (xs.push(x), x),\n",
    fixed: "    push: (x) => (xs.push(x), x),\n    peek: () => xs[index],\n",
  },
];

/** The files fixed, each with its changes, in the ES module and the CommonJS build. */
export const PATCHES = [
  ["src/connection.js", CONNECTION],
  ["cjs/src/connection.js", CONNECTION],
  ["src/index.js", POOL],
  ["cjs/src/index.js", POOL],
  ["src/queue.js", QUEUE],
  ["cjs/src/queue.js", QUEUE],
].map(([file, hunks]) => ({ file, hunks }));

/**
 * The fixed text of one file, or null when it is already fixed; throws when a change neither is
 * there nor applies. Changes already there are kept, so a driver fixed by an earlier version of
 * this script gets the changes it lacks.
 */
export function fixedSource(source, file, hunks) {
  let out = source;
  for (const hunk of hunks) {
    if (out.includes(hunk.fixed)) continue;
    const at = out.indexOf(hunk.original);
    if (at === -1 || out.indexOf(hunk.original, at + 1) !== -1) {
      throw new Error(
        `${file} is not postgres.js ${POSTGRES_VERSION}'s code (a change does not apply); ` +
          `Switchyard needs postgres@${POSTGRES_VERSION}`,
      );
    }
    out = out.slice(0, at) + hunk.fixed + out.slice(at + hunk.original.length);
  }
  return out === source ? null : out;
}

/** Patches the package in `dir`; answers the files it changed. */
export function patchPostgres(dir) {
  const changed = [];
  for (const { file: name, hunks } of PATCHES) {
    const file = join(dir, name);
    const fixed = fixedSource(readFileSync(file, "utf8"), file, hunks);
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
