import type { ActionConfig } from "../config/actions-schema.js";
import type { ActionRun } from "../storage/actions-port.js";
import { type ActionExecutor, ActionFailure, type StartContext, type StartResult } from "./executor.js";
import { BranchError, PostgresBrancher } from "./postgres-branch.js";

type BranchAction = Extract<ActionConfig, { kind: "postgres-branch" }>;

/** `postgres-branch`: a database cloned from a template per git ref (or deployment); its URL is the secret. */
export class PostgresBranchExecutor implements ActionExecutor {
  readonly runningText = "Creating a database branch";
  readonly sharedKey = "database";
  readonly #brancher: PostgresBrancher;

  constructor(
    private readonly action: BranchAction,
    passwordKey: Buffer,
  ) {
    this.#brancher = new PostgresBrancher(
      { url: action.postgres.url, template: action.postgres.template, branchBy: action.branchBy },
      passwordKey,
    );
  }

  async start(context: StartContext): Promise<StartResult> {
    const deployment = await context.deployment();
    const request = {
      deploymentId: deployment.id,
      gitRef: deployment.gitRef,
      installationId: context.installation.id,
    };
    await context.step(
      `Branching database ${this.#brancher.nameFor(request)} from ${this.action.postgres.template}`,
    );
    try {
      const branch = await this.#brancher.ensure(request, context.signal);
      await context.step(branch.created ? `Created ${branch.database}` : `Reused ${branch.database}`);
      return {
        made: { database: branch.database, created: branch.created },
        secrets: [{ name: this.action.secretName, value: branch.url }],
        statusText: branch.created
          ? `Database ${branch.database} created`
          : `Database ${branch.database} reused`,
      };
    } catch (error) {
      if (error instanceof BranchError) throw new ActionFailure(error.message);
      throw error;
    }
  }

  async cancel(run: ActionRun, stillUsed: boolean): Promise<void> {
    const database = run.made?.database;
    if (typeof database === "string" && run.made?.created === true && !stillUsed) await this.#drop(database);
  }

  async cleanup(run: ActionRun, stillUsed: boolean): Promise<void> {
    const database = run.made?.database;
    if (typeof database === "string" && !stillUsed) await this.#drop(database);
  }

  async #drop(database: string): Promise<void> {
    try {
      await this.#brancher.drop(database);
    } catch (error) {
      if (error instanceof BranchError) throw new ActionFailure(error.message);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.#brancher.close();
  }
}
