/**
 * What the server's catalogs say about a branch name and about the admin role, and what may be
 * done with them. A branch is Switchyard's when marked so: its role is marked in the transaction
 * that creates it, its database only once it is complete. So a database that is not marked but is
 * owned by a marked role of the same name is a branch left half-made (by a crash, a lost
 * connection), which `ensure` finishes and `drop` removes. Anything else of the name is someone
 * else's, a `name_clash`, and never touched.
 */
import type postgres from "postgres";
import { BranchError, templateMissing } from "./branch-error.js";

const MARK_PREFIX = "switchyard branch of ";

/** The comment that marks a database and a role as a branch of `installationId`. */
export function markOf(installationId: string): string {
  return `${MARK_PREFIX}${installationId}`;
}

/** A database and a role of a branch's name, as they are. */
export interface BranchState {
  databaseExists: boolean;
  databaseMark: string | null;
  databaseOwner: string | null;
  roleExists: boolean;
  roleMark: string | null;
}

/** The database and the role named `name`, and their marks. */
export async function readBranchState(sql: postgres.Sql, name: string): Promise<BranchState> {
  const [row] = await sql<BranchState[]>`
    SELECT d.oid IS NOT NULL AS "databaseExists",
           shobj_description(d.oid, 'pg_database') AS "databaseMark",
           pg_get_userbyid(d.datdba)::text AS "databaseOwner",
           r.oid IS NOT NULL AS "roleExists",
           shobj_description(r.oid, 'pg_authid') AS "roleMark"
    FROM (SELECT 1) AS one
    LEFT JOIN pg_database d ON d.datname = ${name}
    LEFT JOIN pg_roles r ON r.rolname = ${name}`;
  if (!row) throw new Error("the branch look-up returned no row");
  return row;
}

function clash(kind: "database" | "role", name: string, whose: string, consequence: string): BranchError {
  return new BranchError("name_clash", `A ${kind} "${name}" exists that is not ${whose}; ${consequence}.`);
}

/**
 * What `ensure` does with the branch as it is: `reuse` a finished one of this installation, or
 * `create` it (finishing a half-made one). Throws `name_clash` for anything not this installation's.
 */
export function planEnsure(state: BranchState, name: string, mark: string): "reuse" | "create" {
  const whose = "this installation's branch";
  const untouched = "Switchyard leaves it untouched";
  if (state.roleExists && state.roleMark !== mark) throw clash("role", name, whose, untouched);
  if (!state.databaseExists) return "create";
  if (state.databaseMark === mark && state.roleExists) return "reuse";
  const halfMade = state.databaseMark === null && state.databaseOwner === name && state.roleMark === mark;
  if (halfMade) return "create";
  throw clash("database", name, whose, untouched);
}

/** Which of the database and the role named `name` exist and are a branch's: Switchyard's to drop. */
export function droppableParts(state: BranchState, name: string): { database: boolean; role: boolean } {
  const ours = (mark: string | null) => mark?.startsWith(MARK_PREFIX) === true;
  const halfMade = state.databaseMark === null && state.databaseOwner === name && ours(state.roleMark);
  return {
    database: state.databaseExists && (ours(state.databaseMark) || halfMade),
    role: state.roleExists && ours(state.roleMark),
  };
}

/** Throws `name_clash` unless the database and the role named `name`, where they exist, are a branch's. */
export function checkDroppable(state: BranchState, name: string): void {
  const parts = droppableParts(state, name);
  if (state.databaseExists && !parts.database) {
    throw clash("database", name, "a Switchyard branch", "it was not dropped");
  }
  if (state.roleExists && !parts.role) {
    throw clash("role", name, "a Switchyard branch's role", "it was not dropped");
  }
}

/** The admin role's rights that making a branch needs, and the template as the admin sees it. */
export interface AdminRights {
  user: string;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
  /** The admin URL names the template itself: its own session would keep the template busy. */
  onTemplate: boolean;
  templateExists: boolean;
  /** `datistemplate`: any role with CREATEDB may copy it. */
  templateMarked: boolean;
  ownsTemplate: boolean;
}

/** The admin role's rights, and `template` as it sees it. */
export async function readAdminRights(sql: postgres.Sql, template: string): Promise<AdminRights> {
  const [row] = await sql<AdminRights[]>`
    SELECT current_user::text AS user, r.rolsuper AS superuser, r.rolcreatedb AS createdb,
           r.rolcreaterole AS createrole, current_database() = ${template} AS "onTemplate",
           t.oid IS NOT NULL AS "templateExists", coalesce(t.datistemplate, false) AS "templateMarked",
           coalesce(pg_has_role(t.datdba, 'MEMBER'), false) AS "ownsTemplate"
    FROM pg_roles r LEFT JOIN pg_database t ON t.datname = ${template}
    WHERE r.rolname = current_user`;
  if (!row) throw new Error("the admin role's look-up returned no row");
  return row;
}

/** Throws what would stop a branch being made from `template`, before anything is made. */
export function checkAdminRights(rights: AdminRights, template: string): void {
  if (!rights.templateExists) throw templateMissing(template);
  if (rights.onTemplate) {
    throw new BranchError(
      "template_busy",
      `The admin URL connects to the template "${template}", which keeps it in use: point it at another database.`,
    );
  }
  if (rights.superuser) return;
  const who = `The admin role "${rights.user}"`;
  if (!rights.createrole) {
    throw new BranchError("permission_denied", `${who} may not create roles: grant it CREATEROLE.`);
  }
  if (!rights.createdb) {
    throw new BranchError("permission_denied", `${who} may not create databases: grant it CREATEDB.`);
  }
  if (!rights.templateMarked && !rights.ownsTemplate) {
    throw new BranchError(
      "permission_denied",
      `${who} may not copy "${template}": make it the template's owner, or mark the template as a template.`,
    );
  }
}
