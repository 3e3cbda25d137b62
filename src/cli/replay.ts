import { withProgress } from "./progress.js";
import { apiTarget, callServer } from "./server-api.js";
import { timeArg } from "./time-arg.js";

export interface ReplayOptions {
  status: string;
  since?: string | undefined;
  until?: string | undefined;
  destination?: string | undefined;
  type?: string | undefined;
  dryRun?: boolean | undefined;
  all?: boolean | undefined;
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
}

/** `switchyard replay`: puts dead letters (or successes) back in the queue through the running server's API. */
export async function replayCommand(options: ReplayOptions): Promise<number> {
  const { base, token } = apiTarget(options);
  if (!token) {
    process.stderr.write("no admin token: pass --token or set SWITCHYARD_ADMIN_TOKEN\n");
    return 2;
  }
  const filtered = [options.since, options.until, options.destination, options.type].some(
    (o) => o !== undefined,
  );
  if (filtered === Boolean(options.all)) {
    process.stderr.write(
      filtered
        ? "give either a filter or --all, not both\n"
        : "replay needs a filter (--since, --until, --destination, --type) or --all\n",
    );
    return 2;
  }
  const now = Date.now();
  const body = {
    status: options.status,
    since: timeArg("since", options.since, now),
    until: timeArg("until", options.until, now),
    destination: options.destination,
    type: options.type,
    ...(options.all ? { all: true } : {}),
    dryRun: options.dryRun ?? false,
  };
  // One request re-queues them all: a bulk replay of many dead letters takes a while to answer.
  const { response, result } = await withProgress(options.dryRun ? "counting" : "replaying", async () => {
    const response = await callServer(base, `${base}/api/v1/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = (await response.json()) as { matched?: number; enqueued?: number; message?: string };
    return { response, result };
  });
  if (!response.ok) {
    process.stderr.write(`replay refused (${response.status}): ${result.message ?? "unknown error"}\n`);
    return 1;
  }
  process.stdout.write(
    options.dryRun
      ? `${result.matched} deliveries match (dry run: nothing enqueued)\n`
      : `${result.matched} deliveries matched, ${result.enqueued} enqueued\n`,
  );
  return 0;
}
