import { readFileSync } from "node:fs";
import { signVercelBody } from "../signatures/vercel.js";

/** `switchyard sign --secret S [FILE]`: prints the x-vercel-signature of a file's (or stdin's) exact bytes. */
export function signCommand(file: string | undefined, secret: string): void {
  const bytes = readFileSync(file ?? 0);
  process.stdout.write(`${signVercelBody(bytes, secret)}\n`);
}
