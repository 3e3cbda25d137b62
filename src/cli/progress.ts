/** Where progress is written: a terminal's stream (stderr), or a stand-in for it. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** How often the line is written again. */
  everyMs?: number;
  now?: () => number;
}

/**
 * Runs a long step (a bulk replay, migrations, a purge) showing that it works: on a terminal, its
 * label and the seconds elapsed, rewritten in place and cleared once it ends. Off a terminal (a
 * pipe, a log) nothing is written: the command's result line says what was done.
 */
export async function withProgress<T>(
  label: string,
  work: () => Promise<T>,
  o: ProgressOptions = {},
): Promise<T> {
  const stream = o.stream ?? process.stderr;
  if (!stream.isTTY) return work();
  const now = o.now ?? Date.now;
  const started = now();
  const show = () => stream.write(`\r${label}… ${Math.floor((now() - started) / 1000)}s`);
  show();
  const timer = setInterval(show, o.everyMs ?? 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    // Back to the start of the line, and the line cleared: the result is printed in its place.
    stream.write("\r\u001b[2K");
  }
}
