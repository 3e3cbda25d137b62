/**
 * The name of a branch database (its role has the same name) and the role's password. A name is
 * `sy_<slug>_<hash>`: the prefix makes a branch recognisable among a server's databases, the slug
 * (from the git ref or the deployment id) makes it readable, and the hash of the whole input
 * (installation, what the branch follows, its exact value) keeps apart inputs that slugify alike
 * (`feat/a-b` and `feat/a_b`, `main` and `MAIN`). Pure: node:crypto only.
 */
import { createHash, createHmac } from "node:crypto";

/** What a branch follows: one per git ref (deployments of a git branch share it), or one per deployment. */
export type BranchBy = "git-ref" | "deployment";

/** The deployment a branch is asked for. */
export interface BranchRequest {
  deploymentId: string;
  gitRef: string | null;
  installationId: string;
}

const PREFIX = "sy_";
const HASH_CHARS = 10;
/** PostgreSQL truncates identifiers past 63 bytes (NAMEDATALEN - 1); names are ASCII, so bytes = characters. */
const MAX_NAME = 63;
const MAX_SLUG = MAX_NAME - PREFIX.length - 1 - HASH_CHARS;
const BRANCH_NAME = /^sy_[a-z0-9_]+$/;

/** Whether `name` has the shape of a branch name: the only names `drop` will look at. */
export function isBranchName(name: string): boolean {
  return name.length <= MAX_NAME && BRANCH_NAME.test(name);
}

/** `text` as lower-case `[a-z0-9_]`, accents dropped, other runs of characters as one `_`, at most `max` long. */
export function slugOf(text: string, max = MAX_SLUG): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+/, "")
    .slice(0, max)
    .replace(/_+$/, "");
}

/** The branch's database and role name for `request`: the git ref's when following refs and there is one, else the deployment's. */
export function branchName(request: BranchRequest, branchBy: BranchBy): string {
  const ref = branchBy === "git-ref" && request.gitRef ? request.gitRef : null;
  const kind = ref === null ? "deployment" : "git-ref";
  const value = ref ?? request.deploymentId;
  // JSON keeps the parts apart: no choice of values makes two different inputs hash alike.
  const hash = createHash("sha256")
    .update(JSON.stringify([request.installationId, kind, value]))
    .digest("hex")
    .slice(0, HASH_CHARS);
  const slug = slugOf(ref === null ? value : ref.replace(/^refs\/heads\//, ""));
  return slug === "" ? `${PREFIX}${hash}` : `${PREFIX}${slug}_${hash}`;
}

/**
 * The branch role's password: an HMAC of its name, so a reused branch reports the same URL and no
 * password is stored anywhere. The label keeps it apart from anything else the key may sign.
 */
export function branchPassword(key: Buffer, name: string): string {
  return createHmac("sha256", key).update(`switchyard postgres-branch password\0${name}`).digest("base64url");
}
