import { z } from "zod";
import { durationSchema } from "../core/duration.js";
import { TEMPLATE_NAMES, templates } from "./templates/index.js";

/**
 * How a route reshapes an event: exactly one of a built-in `template` (with its `options`),
 * inline `code`, or a `file` of code (read at start-up, relative to the config file).
 */
export const transformSchema = z
  .strictObject({
    template: z.enum(TEMPLATE_NAMES).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    code: z.string().min(1, "code cannot be empty").optional(),
    file: z.string().min(1).optional(),
  })
  .superRefine((t, ctx) => {
    const kinds = (["template", "code", "file"] as const).filter((k) => t[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a transform needs exactly one of template, code or file${kinds.length ? ` (got ${kinds.join(" and ")})` : ""}`,
      });
      return;
    }
    if (t.options !== undefined && t.template === undefined) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "options belong to a template" });
    }
    if (t.template !== undefined) {
      const parsed = templates[t.template].options.safeParse(t.options ?? {});
      for (const issue of parsed.error?.issues ?? []) {
        const keys = issue.code === "unrecognized_keys" ? `: unknown key ${issue.keys.join(", ")}` : "";
        ctx.addIssue({
          code: "custom",
          path: ["options", ...issue.path],
          message: `${issue.message}${keys}`,
        });
      }
    }
  });

/** Limits of the sandbox that runs routes' code. */
export const transformsSection = z
  .strictObject({
    timeout: durationSchema
      .default(50)
      .refine((ms) => ms >= 1 && ms <= 10_000, "timeout must be between 1ms and 10s"),
    memoryLimitMb: z.number().int().min(8).max(4096).default(32),
    maxOutputBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .default({ timeout: 50, memoryLimitMb: 32, maxOutputBytes: 1024 * 1024 });

export type TransformConfig = z.output<typeof transformSchema>;
export type TransformsSettings = z.output<typeof transformsSection>;
