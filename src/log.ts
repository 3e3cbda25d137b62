import { type Logger, pino } from "pino";
import { PinoPretty } from "pino-pretty";
import { redactUrl, redactUrlsIn } from "./core/redact-url.js";

/**
 * The structured logger. Secrets and payloads are never logged; these paths are redacted should
 * one slip in, a `url` is logged with its credentials redacted, and so is any URL in an error.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "switchyard" },
      redact: {
        paths: [
          "secret",
          "secrets",
          "adminToken",
          "token",
          "authorization",
          "*.secret",
          "*.secrets",
          "*.authorization",
          "body",
          "payload",
        ],
        censor: "[redacted]",
      },
      serializers: {
        url: (url: unknown) => (typeof url === "string" ? redactUrl(url) : url),
        err: (error: Error) => {
          const out = pino.stdSerializers.err(error);
          out.message = redactUrlsIn(out.message);
          if (out.stack) out.stack = redactUrlsIn(out.stack);
          return out;
        },
      },
    },
    destination ?? process.stdout,
  );
}

/**
 * Where the server's log lines go: colored, readable lines when `format` is `pretty`, or `auto` on
 * a terminal (pino-pretty in this thread, so a line is written before the process exits); one JSON
 * object per line otherwise, for a log collector.
 */
export function logDestination(
  format: "auto" | "json" | "pretty",
  out: NodeJS.WriteStream = process.stdout,
): NodeJS.WritableStream {
  const pretty = format === "pretty" || (format === "auto" && out.isTTY === true);
  if (!pretty) return out;
  return PinoPretty({
    destination: out,
    colorize: out.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    sync: true,
  });
}
