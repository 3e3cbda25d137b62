// SQLite result codes, as better-sqlite3 names them (`SQLITE_IOERR_WRITE` extends `SQLITE_IOERR`).

/** The database cannot commit now, whatever is written: the disk, the file or a lock, not the data. */
const UNAVAILABLE = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_PROTOCOL",
  "SQLITE_NOLFS",
];

/** Of those, the ones that last until space or the disk comes back: lack of space or an I/O failure. */
const CANNOT_COMMIT = ["SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_NOLFS"];

const isOf = (codes: readonly string[], code: string | undefined) =>
  code !== undefined && codes.some((c) => code === c || code.startsWith(`${c}_`));

/**
 * Whether a failed write means the store is unavailable (the sender should retry) rather than
 * that this write was refused (a constraint, a trigger, a bug), which retrying would not change.
 */
export function isUnavailableCode(code: string | undefined): boolean {
  return isOf(UNAVAILABLE, code);
}

/** Whether a failed write means the store cannot commit at all until space or the disk is back. */
export function isCannotCommitCode(code: string | undefined): boolean {
  return isOf(CANNOT_COMMIT, code);
}
