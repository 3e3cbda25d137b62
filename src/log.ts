import { type Logger, pino } from "pino";

/** The structured logger. Secrets and payloads are never logged; these paths are redacted should one slip in. */
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
    },
    destination ?? process.stdout,
  );
}
