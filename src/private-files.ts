/**
 * Switchyard's own files (the SQLite database and its WAL, its lock, `credentials.json`) hold
 * payloads and secrets: they are created readable by their owner only, whatever the umask, and
 * found looser they are tightened.
 */
import { accessSync, chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from "node:fs";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** A start-up problem with one of Switchyard's files: the message names the file and what is wrong. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DataFileError";
  }
}

/** What went wrong with a file system call, in words (`permission denied`), for a message. */
export function fsReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOENT":
      return "no such file or folder";
    case "ENOTDIR":
      return "a file is in the way of the folder";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return (error as Error).message;
  }
}

/** Creates a folder (and its missing parents) readable by its owner only; an existing one is left alone. */
export function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (error) {
    throw new DataFileError(dir, `cannot create the data folder ${dir}: ${fsReason(error)}`, {
      cause: error,
    });
  }
}

/** Creates an empty file with mode 0600 unless it exists; true when it was created. */
export function createPrivateFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  closeSync(fd);
  return true;
}

/** A file found open to its group or others: the mode it had, and the one it has now. */
export interface LooseFile {
  file: string;
  mode: string;
  now: string;
}

/**
 * Takes every permission of the group and others from each existing file of `files` (0644 becomes
 * 0600; a read-only 0444 stays read-only, 0400); returns the files changed.
 */
export function tightenModes(files: readonly string[]): LooseFile[] {
  const changed: LooseFile[] = [];
  for (const file of files) {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o777;
    } catch {
      continue; // not there (yet): it is created private
    }
    if ((mode & 0o077) === 0) continue;
    const now = mode & 0o700;
    try {
      chmodSync(file, now);
    } catch (error) {
      throw new DataFileError(
        file,
        `${file} is readable by others (mode ${octal(mode)}) and cannot be made private: ${fsReason(error)}`,
        { cause: error },
      );
    }
    changed.push({ file, mode: octal(mode), now: octal(now) });
  }
  return changed;
}

/** Whether this process may write `path` (the kernel's answer, root and read-only mounts included). */
export function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;
