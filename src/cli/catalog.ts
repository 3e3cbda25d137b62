import { eventCatalog } from "../vercel/index.js";

/** `switchyard catalog`: every Vercel event type with its category and description. */
export function catalogCommand(options: { json?: boolean }): void {
  if (options.json) {
    const rows = eventCatalog.map(
      ({ type, aliases, category, legacy, replacedBy, controlPlane, description }) => ({
        type,
        aliases,
        category,
        legacy,
        replacedBy: replacedBy ?? null,
        controlPlane,
        description,
      }),
    );
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(...eventCatalog.map((e) => e.type.length));
  const cat = Math.max(...eventCatalog.map((e) => e.category.length));
  for (const e of eventCatalog) {
    const flags = [
      e.legacy ? `legacy${e.replacedBy ? ` → ${e.replacedBy}` : ""}` : "",
      e.controlPlane ? "control-plane" : "",
    ]
      .filter(Boolean)
      .join(", ");
    process.stdout.write(
      `${e.type.padEnd(width)}  ${e.category.padEnd(cat)}  ${e.description}${flags ? ` [${flags}]` : ""}\n`,
    );
  }
}
