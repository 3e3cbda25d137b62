/**
 * Hands what a branch database cloned from its template to the branch role, so the role can read,
 * write and migrate it as its own. `REASSIGN OWNED BY <template owner>` is not used: it also
 * reassigns the old owner's databases and tablespaces across the whole server, and fails outright
 * for the bootstrap superuser, who commonly owns a template's objects. Instead each object owned
 * by another role gets its own `ALTER … OWNER TO`, in one transaction in the branch database:
 * schemas (first, so the role may create in them), tables, partitions, views, materialized views,
 * foreign tables, free-standing sequences (a column's sequence follows its table), composite,
 * enum, range and base types, domains, functions, procedures, aggregates, extended statistics and
 * large objects. System schemas and an extension's members stay as they are; so do operators,
 * collations, text search objects and foreign servers, which the role can still use.
 */
import type postgres from "postgres";

/** One `ALTER … OWNER TO <role>` per object of the database owned by another role, schemas first. */
const STATEMENTS = (sql: postgres.TransactionSql, role: string) => sql<{ statement: string }[]>`
  WITH target AS (SELECT ${role}::text AS role),
  owner AS (SELECT oid FROM pg_roles WHERE rolname = (SELECT role FROM target)),
  ns AS (SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
  member AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
  statements AS (
    SELECT 1 AS rank, format('ALTER SCHEMA %I OWNER TO %I', n.nspname, (SELECT role FROM target)) AS statement
    FROM pg_namespace n
    WHERE n.oid IN (SELECT oid FROM ns) AND n.nspowner NOT IN (SELECT oid FROM owner)
      AND n.nspowner <> 'pg_database_owner'::regrole
      AND ('pg_namespace'::regclass, n.oid) NOT IN (SELECT classid, objid FROM member)
    UNION ALL
    SELECT 2, format('ALTER %s %s OWNER TO %I',
      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
      CASE c.relkind WHEN 'c' THEN c.reltype::regtype::text ELSE c.oid::regclass::text END,
      (SELECT role FROM target))
    FROM pg_class c
    WHERE c.relnamespace IN (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
      AND c.relowner NOT IN (SELECT oid FROM owner)
      AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM member)
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT 3, format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, (SELECT role FROM target))
    FROM pg_proc p
    WHERE p.pronamespace IN (SELECT oid FROM ns) AND p.proowner NOT IN (SELECT oid FROM owner)
      AND ('pg_proc'::regclass, p.oid) NOT IN (SELECT classid, objid FROM member)
    UNION ALL
    SELECT 4, format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
      t.oid::regtype, (SELECT role FROM target))
    FROM pg_type t
    WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('b', 'd', 'e', 'r')
      AND t.typowner NOT IN (SELECT oid FROM owner)
      AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
      AND ('pg_type'::regclass, t.oid) NOT IN (SELECT classid, objid FROM member)
    UNION ALL
    SELECT 5, format('ALTER STATISTICS %I.%I OWNER TO %I', n.nspname, s.stxname, (SELECT role FROM target))
    FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
    WHERE s.stxnamespace IN (SELECT oid FROM ns) AND s.stxowner NOT IN (SELECT oid FROM owner)
    UNION ALL
    SELECT 6, format('ALTER LARGE OBJECT %s OWNER TO %I', l.oid, (SELECT role FROM target))
    FROM pg_largeobject_metadata l
    WHERE l.lomowner NOT IN (SELECT oid FROM owner)
  )
  SELECT statement FROM statements ORDER BY rank, statement`;

/**
 * Makes `role` the owner of everything `db` (a connection to the branch database, as the admin)
 * holds in its own schemas; returns how many objects changed hands. One transaction: all or none.
 */
export async function handOwnershipTo(db: postgres.Sql, role: string, signal?: AbortSignal): Promise<number> {
  return db.begin(async (tx) => {
    // An empty search_path makes regclass and regprocedure print every name schema-qualified, and
    // keeps the template's own functions from standing in for the catalog's in the query.
    await tx`SELECT set_config('search_path', '', true)`;
    const rows = await STATEMENTS(tx, role);
    for (const { statement } of rows) {
      signal?.throwIfAborted();
      await tx.unsafe(statement);
    }
    return rows.length;
  });
}
