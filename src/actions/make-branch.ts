/**
 * The steps that make a branch (or finish a half-made one), in an admin session holding the name's
 * lock: check the admin's rights before anything is made; create the role, marked as the
 * installation's in the same transaction; create the database from the template, owned by the
 * role, and revoke CONNECT from PUBLIC at once; hand the cloned objects to the role; mark the
 * database last, so a marked database is a finished branch. Each step starts with the session's
 * checkpoint (abort, lost session); the caller removes what was made should a step throw.
 */
import type postgres from "postgres";
import { type BranchState, checkAdminRights, readAdminRights } from "./branch-catalog.js";
import type { BranchContext } from "./branch-error.js";
import { handOwnershipTo } from "./branch-ownership.js";
import { type BranchSession, untilDone } from "./branch-session.js";

/** The steps of making a branch, in order, as each is done; `waiting` when another operation holds the name. */
export type BranchStep = "waiting" | "role" | "database" | "owned" | "sealed";

export interface MakeBranch {
  session: BranchSession;
  name: string;
  /** The installation's mark for the role and the database. */
  mark: string;
  /** The role's SCRAM verifier. */
  verifier: string;
  /** The name's database and role as found under the lock. */
  state: BranchState;
  template: string;
  /** Told where the work is, for the error mapping. */
  context: BranchContext;
  signal: AbortSignal | undefined;
  step: (step: BranchStep) => Promise<void>;
  /** An admin connection to the branch database, and its end. */
  openDatabase: () => postgres.Sql;
  endDatabase: (sql: postgres.Sql) => Promise<void>;
}

/** Makes the branch, or finishes a half-made one. */
export async function makeBranch(m: MakeBranch): Promise<void> {
  const { session, name, mark, verifier, state, template, context, signal } = m;
  const { sql, checkpoint } = session;
  context.stage = "preflight";
  checkpoint();
  const rights = await readAdminRights(sql, template);
  checkAdminRights(rights, template);

  // Role and mark in one transaction: a role of this name never exists unmarked because of us.
  context.stage = "role";
  checkpoint();
  await sql.begin(async (tx) => {
    if (state.roleExists) await tx`ALTER ROLE ${tx(name)} PASSWORD ${tx.unsafe(literal(verifier))}`;
    else await tx`CREATE ROLE ${tx(name)} LOGIN PASSWORD ${tx.unsafe(literal(verifier))}`;
    await tx`COMMENT ON ROLE ${tx(name)} IS ${tx.unsafe(literal(mark))}`;
    // A non-superuser admin must be a member of the role to make it a database's owner, to hand
    // it the cloned objects, and to connect once PUBLIC may not.
    if (!rights.superuser) await tx`GRANT ${tx(name)} TO CURRENT_USER`;
  });
  await m.step("role");

  context.stage = "database";
  checkpoint();
  if (!state.databaseExists) {
    await untilDone(sql`CREATE DATABASE ${sql(name)} TEMPLATE ${sql(template)} OWNER ${sql(name)}`, signal);
  }
  // At once: until then any role of the server may connect to the new database.
  await sql`REVOKE CONNECT ON DATABASE ${sql(name)} FROM PUBLIC`;
  await m.step("database");

  context.stage = "ownership";
  checkpoint();
  const db = m.openDatabase();
  try {
    await handOwnershipTo(db, name, signal);
  } finally {
    await m.endDatabase(db);
  }
  await m.step("owned");

  context.stage = "seal";
  checkpoint();
  await sql`COMMENT ON DATABASE ${sql(name)} IS ${sql.unsafe(literal(mark))}`;
  await m.step("sealed");
  checkpoint();
}

/** Sets the password of an existing branch role (`verifier`: its SCRAM verifier). */
export async function setRolePassword(sql: postgres.Sql, name: string, verifier: string): Promise<void> {
  await sql`ALTER ROLE ${sql(name)} PASSWORD ${sql.unsafe(literal(verifier))}`;
}

/**
 * `text` as a string literal, whatever `standard_conforming_strings` says, for the statements that
 * take no parameters (`PASSWORD`, `COMMENT`).
 */
function literal(text: string): string {
  if (text.includes("\0")) throw new TypeError("a PostgreSQL literal cannot hold NUL");
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
