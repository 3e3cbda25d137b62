/**
 * isolated-vm, whichever release built on this Node. No one release covers every Node Switchyard
 * runs on: 5 builds on Node 20 and 22 but not against Node 24's V8, 6.2+ ships prebuilt binaries
 * for Node 22 and 24 but does not build on Node 20. package.json installs both as optional
 * dependencies (`isolated-vm` is 5, `isolated-vm-6` is 6 under an npm alias); npm drops the one
 * that fails to build, and this module loads the newest that is there.
 *
 * The types below are the part of the API the sandbox uses, which both releases share; they are
 * written here rather than imported so that the code type-checks with either release installed.
 */
import { createRequire } from "node:module";

export interface IvmReference<T = unknown> {
  /** Calls the referenced function; gives what it returned (a copy, or a reference if asked). */
  applySync(
    receiver: undefined,
    args: unknown[],
    options?: IvmCallOptions,
  ): T extends (...args: never[]) => infer R ? R : unknown;
  derefInto(): unknown;
  /** Phantom: what the referenced value is. */
  readonly __type?: T;
}

export interface IvmCallOptions {
  timeout?: number;
  result?: { copy?: boolean; reference?: boolean };
}

export interface IvmContext {
  evalSync(code: string, options: { filename?: string; reference: true; timeout?: number }): IvmReference;
  evalClosureSync(code: string, args: unknown[], options: IvmCallOptions): unknown;
}

export interface IvmScript {
  runSync<T>(context: IvmContext, options: { reference: true; timeout?: number }): IvmReference<T>;
}

export interface IvmIsolate {
  readonly isDisposed: boolean;
  dispose(): void;
  createContextSync(): IvmContext;
  compileScriptSync(code: string, options: { filename: string }): IvmScript;
}

export interface IsolatedVm {
  Isolate: new (options: { memoryLimit: number }) => IvmIsolate;
}

/** The packages to try, newest first: the names package.json's optionalDependencies give them. */
const RELEASES = ["isolated-vm-6", "isolated-vm"] as const;

const require = createRequire(import.meta.url);
let loaded: IsolatedVm | Error | undefined;

/**
 * The isolated-vm this process can use; throws an Error saying why there is none (neither release
 * installed or built on this Node), which callers turn into their own refusal.
 */
export function isolatedVm(): IsolatedVm {
  if (loaded === undefined) loaded = loadFirst(RELEASES);
  if (loaded instanceof Error) throw loaded;
  return loaded;
}

/** The first of `names` that loads, or an Error naming each one's reason. */
export function loadFirst(names: readonly string[]): IsolatedVm | Error {
  const reasons: string[] = [];
  for (const name of names) {
    try {
      return require(name) as IsolatedVm;
    } catch (error) {
      reasons.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return new Error(
    `code transforms are not available on Node ${process.versions.node}: no build of isolated-vm ` +
      `loads here (${reasons.join("; ")}); reinstall with \`npm ci\` on this Node, with python3, make ` +
      "and a C++ compiler for Node 20",
  );
}
