import { createHash } from "node:crypto";

/** The CSP source (`'sha256-…'`) that allows exactly this inline `<style>` or `<script>` text. */
export function inlineHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}
