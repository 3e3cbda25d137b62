import { z } from "zod";
import type { ActionConfig } from "../config/actions-schema.js";
import { signVercelBody } from "../signatures/vercel.js";
import { type ActionExecutor, ActionFailure, type StartContext, type StartResult } from "./executor.js";

type HttpAction = Extract<ActionConfig, { kind: "http" }>;

// What the action's URL answers: the outcome to report.
const reply = z.object({
  status: z.enum(["succeeded", "failed"]),
  statusText: z.string().max(500).optional(),
  secrets: z.array(z.object({ name: z.string().min(1), value: z.string() })).optional(),
});

/**
 * `http`: POSTs the start event's exact bytes to a URL, signed `x-vercel-signature` with the
 * integration's client secret (as Vercel signs them), and reports what it answers
 * (`{status, statusText?, secrets?}`). Nothing is made here, so cancel and cleanup have nothing to undo.
 */
export class HttpExecutor implements ActionExecutor {
  readonly runningText = "Running";
  readonly sharedKey = null;

  constructor(
    private readonly action: HttpAction,
    private readonly clientSecret: string,
  ) {}

  async start(context: StartContext): Promise<StartResult> {
    const body = await context.eventBody();
    const host = new URL(this.action.url).host;
    await context.step(`POST to ${host}`);
    let response: Response;
    try {
      response = await fetch(this.action.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-vercel-signature": signVercelBody(body, this.clientSecret),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(this.action.timeout)]),
      });
    } catch (error) {
      if (context.signal.aborted) throw error;
      const timedOut = (error as Error).name === "TimeoutError";
      throw new ActionFailure(timedOut ? `${host} did not answer in time` : `${host} could not be reached`);
    }
    const text = await response.text();
    if (!response.ok) throw new ActionFailure(`${host} answered ${response.status}`);
    let parsed: z.infer<typeof reply>;
    try {
      parsed = reply.parse(JSON.parse(text));
    } catch {
      throw new ActionFailure(`${host} answered without {"status": "succeeded" | "failed"}`);
    }
    if (parsed.status === "failed")
      throw new ActionFailure(parsed.statusText ?? `${host} reported a failure`);
    return {
      made: null,
      secrets: parsed.secrets ?? [],
      ...(parsed.statusText ? { statusText: parsed.statusText } : {}),
    };
  }

  async cancel(): Promise<void> {}

  async cleanup(): Promise<void> {}

  async close(): Promise<void> {}
}
