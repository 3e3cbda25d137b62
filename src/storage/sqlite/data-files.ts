import { existsSync } from "node:fs";
import { dirname } from "node:path";
import {
  createPrivateFile,
  DataFileError,
  fsReason,
  type LooseFile,
  makePrivateDir,
  tightenModes,
  writable,
} from "../../private-files.js";
import { lockFileOf } from "./process-lock.js";

/** The files of a SQLite database: the file, its WAL and shared-memory index, and Switchyard's lock. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, lockFileOf(path)];
}

/** Makes the files of the database at `path` that others could read private (0600); returns those changed. */
export function tightenDatabaseFiles(path: string): LooseFile[] {
  return tightenModes(databaseFiles(path));
}

/**
 * Makes sure SQLite can write the database at `path` before it opens it, so that a problem is
 * told at once and names its file (SQLite itself would open a read-only file read-only and fail
 * at the first write): the folder is created private, the file created 0600 (SQLite gives its
 * -wal and -shm the file's mode), and the existing files must be writable.
 */
export function prepareDatabaseFiles(path: string): void {
  const dir = dirname(path);
  makePrivateDir(dir);
  try {
    createPrivateFile(path);
  } catch (error) {
    throw new DataFileError(path, `cannot create the SQLite database ${path}: ${fsReason(error)}`, {
      cause: error,
    });
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && !writable(file)) {
      throw new DataFileError(
        file,
        `the SQLite database file ${file} is read-only (no write permission, or a read-only file system): Switchyard needs to write it`,
      );
    }
  }
  if (!(existsSync(`${path}-wal`) && existsSync(`${path}-shm`)) && !writable(dir)) {
    throw new DataFileError(
      dir,
      `the folder ${dir} is not writable: SQLite creates the database's -wal and -shm files there`,
    );
  }
}
