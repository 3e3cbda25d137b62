/** The code of a route does not compile or does not define `transform`. */
export class TransformCompileError extends Error {
  constructor(
    /** What is wrong, without the line. */
    readonly reason: string,
    readonly line: number | null,
  ) {
    super(line === null ? reason : `${reason} (line ${line})`);
    this.name = "TransformCompileError";
  }
}
