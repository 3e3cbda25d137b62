import type { StreamPosition } from "./port.js";

// Stream positions as each backend writes them: fixed-width decimal digits, so text order is the
// numbers' order (xid8 and seq both fit in 20 digits). SQLite's is an event's seq; PostgreSQL's
// the id of the transaction that stored the event, then its seq.

const WIDTH = 20;
const DIGITS = /^\d{20}$/;

const pad = (n: number | bigint | string) => String(n).padStart(WIDTH, "0");

function digits(text: string | undefined, position: StreamPosition): string {
  if (text === undefined || !DIGITS.test(text)) throw new Error(`not a stream position: ${position}`);
  return text;
}

/** SQLite's position of the event with this seq (or of a point just after `seq`). */
export function seqPosition(seq: number): StreamPosition {
  return pad(seq);
}

/** The seq of a SQLite position. */
export function seqOf(position: StreamPosition): number {
  return Number(digits(position, position));
}

/** PostgreSQL's position: the storing transaction's id (xid8, as text) and the event's seq. */
export function xactPosition(xact: string | bigint, seq: number): StreamPosition {
  return `${pad(xact)}.${pad(seq)}`;
}

/** The transaction id (as text, for a `::xid8` parameter) and seq of a PostgreSQL position. */
export function xactOf(position: StreamPosition): { xact: string; seq: number } {
  const [xact, seq] = position.split(".");
  return { xact: BigInt(digits(xact, position)).toString(), seq: Number(digits(seq, position)) };
}

/** The later of two positions. */
export function laterPosition(a: StreamPosition, b: StreamPosition): StreamPosition {
  return a < b ? b : a;
}

/** The earlier of two positions. */
export function earlierPosition(a: StreamPosition, b: StreamPosition): StreamPosition {
  return a < b ? a : b;
}
