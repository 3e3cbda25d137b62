import { dataDirOf, readCredentials } from "../config/credentials.js";
import { loadConfig } from "../config/load.js";
import { signVercelBody } from "../signatures/vercel.js";
import { EXIT } from "./exit-codes.js";
import { sampleWith } from "./sample.js";
import { callServer } from "./server-api.js";

export interface TriggerOptions {
  url?: string | undefined;
  secret?: string | undefined;
  set?: string[] | undefined;
  config?: string | undefined;
  /** Print the event that would be sent, and send nothing. */
  print?: boolean | undefined;
}

/** The local dev server's ingest URL and secret, as `switchyard serve` provisioned them. */
function localDefaults(flags: TriggerOptions): { url: string; secret: string | undefined } {
  const { config } = loadConfig({ config: flags.config });
  const host =
    config.server.host === "0.0.0.0" || config.server.host === "::" ? "127.0.0.1" : config.server.host;
  const vercel = config.sources.find((s) => s.kind === "vercel");
  const secret =
    process.env.VERCEL_WEBHOOK_SECRET ||
    vercel?.secrets[0] ||
    readCredentials(dataDirOf(config)).vercelSecret;
  return { url: `http://${host}:${config.server.port}/ingest/${vercel?.slug ?? "vercel"}`, secret };
}

/** `switchyard trigger TYPE`: sends a realistic, signed sample of a catalog type (a new event id each time). */
export async function triggerCommand(type: string, options: TriggerOptions): Promise<number> {
  const event = sampleWith(type, options.set);
  if (options.print) {
    process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
    return EXIT.ok;
  }
  const defaults =
    options.url && options.secret ? { url: options.url, secret: options.secret } : localDefaults(options);
  const url = options.url ?? defaults.url;
  const secret = options.secret ?? defaults.secret;
  if (!secret) {
    process.stderr.write(
      "no secret: pass --secret, set VERCEL_WEBHOOK_SECRET, or run `switchyard serve` first\n",
    );
    return 2;
  }
  const body = JSON.stringify(event);
  const response = await callServer(new URL(url).origin, url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-vercel-signature": signVercelBody(body, secret) },
    body,
  });
  const text = await response.text();
  process.stdout.write(`${response.status} ${text}\n`);
  return response.ok ? 0 : 1;
}
