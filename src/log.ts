import { type Logger, pino } from "pino";
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
