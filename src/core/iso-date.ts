// Date-only forms are UTC in JavaScript; a time without an offset would be read in the server's local
// zone, so a filter would match differently on two machines. Hence a time must carry `Z` or an offset.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** Parses an ISO 8601 date (`2024-01-31`) or date-time with an offset (`2024-01-31T12:00:00Z`) to epoch ms; undefined otherwise. */
export function parseIsoDate(text: string): number | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0", offsetHour = "0", offsetMinute = "0"] =
    match;
  const y = Number(year);
  const m = Number(month);
  // Date.parse quietly rolls 2024-02-31 over to March 2; a typo in a filter should not.
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (Number(offsetHour) > 23 || Number(offsetMinute) > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
