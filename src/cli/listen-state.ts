import { createHash, randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fsReason, makePrivateDir, PRIVATE_FILE_MODE } from "../private-files.js";
import { CliError } from "./exit-codes.js";

/**
 * Where `switchyard listen` keeps its positions and its local secret: `SWITCHYARD_STATE_DIR`, else
 * `$XDG_STATE_HOME/switchyard`, else `~/.local/state/switchyard`. A position is state, not
 * configuration or cache: losing it means forwarding from now instead of resuming.
 */
export function listenStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SWITCHYARD_STATE_DIR) return join(env.SWITCHYARD_STATE_DIR, "listen");
  const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "switchyard", "listen");
}

/** What a position file holds: which stream it is of, and the last event handled. */
export interface ListenPosition {
  server: string;
  tenant: string;
  forwardTo: string;
  lastEventId: string;
  updatedAt: string;
}

/** The position file of one stream: one per server, tenant and forward URL. */
export function positionFile(dir: string, server: string, tenant: string, forwardTo: string): string {
  const key = createHash("sha256").update(`${server}\n${tenant}\n${forwardTo}`).digest("hex").slice(0, 24);
  return join(dir, `position-${key}.json`);
}

/** The position kept in `file`; undefined when there is none (never listened, or the file is unreadable JSON). */
export function readPosition(file: string): ListenPosition | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read the listen position ${file}: ${fsReason(error)}`);
  }
  try {
    const position = JSON.parse(text) as Partial<ListenPosition>;
    return typeof position.lastEventId === "string" ? (position as ListenPosition) : undefined;
  } catch {
    // A file cut short cannot be: it is replaced by rename. Anything else is not ours to trust.
    throw new CliError(`${file} is not a listen position: remove it, or start with --from now`);
  }
}

/** Writes a position: a private temporary file renamed over the old, so a crash leaves one or the other whole. */
export function writePosition(file: string, position: ListenPosition): void {
  replacePrivately(file, `${JSON.stringify(position)}\n`);
}

function replacePrivately(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: PRIVATE_FILE_MODE });
  renameSync(temporary, file);
}

/**
 * The local secret `listen` signs with: `given`, else the one kept in `dir` (made on first use, 24
 * random bytes in hex as Switchyard's own webhook secrets, in a file only its owner can read).
 */
export function localSecret(dir: string, given: string | undefined): { secret: string; file?: string } {
  if (given !== undefined) {
    if (!given) throw new CliError("--secret must not be empty: an empty key signs nothing");
    return { secret: given };
  }
  makePrivateDir(dir);
  const file = join(dir, "secret");
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (kept) return { secret: kept, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new CliError(`cannot read the listen secret ${file}: ${fsReason(error)}`);
  }
  const secret = randomBytes(24).toString("hex");
  replacePrivately(file, `${secret}\n`);
  return { secret, file };
}
