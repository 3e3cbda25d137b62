import type { ActivityBucket, ActivitySeries } from "../../operations/overview.js";

/** The chart's drawing box (SVG units); it scales to the width it is given, text with it. */
const WIDTH = 480;
const HEIGHT = 168;
const LEFT = 34;
const RIGHT = 18;
const TOP = 10;
const BOTTOM = 22;

/** A count as the console writes it: digits grouped by thousands. */
export const count = (n: number) => n.toLocaleString("en-US");

/** A time of day, UTC, to the minute. */
export const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** A date and time, UTC, to the minute. */
export const dayTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The smallest of 1, 2, 5 times a power of ten at or above `n` (and at least 1): the axis's top. */
export function axisTop(n: number): number {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

/** One stacked part of a bar: a value and the class that colours it. */
interface Part {
  value: (b: ActivityBucket) => number;
  tone: "events" | "succeeded" | "failed";
}

/**
 * A bar chart of a series, drawn on the server: one bar per bucket (parts stacked), the counts'
 * axis on the left, times (UTC) under it every `tickMs`. Its accessible name is `title`, its
 * description `summary` (the table beside it holds every number).
 */
export function BarChart(props: {
  id: string;
  title: string;
  summary: string;
  series: ActivitySeries;
  parts: readonly Part[];
  tickMs: number;
}) {
  const { buckets, bucketMs } = props.series;
  const total = (b: ActivityBucket) => props.parts.reduce((sum, p) => sum + p.value(b), 0);
  const top = axisTop(Math.max(0, ...buckets.map(total)));
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(0.5, slot * 0.78);
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const round = (v: number) => Math.round(v * 100) / 100;
  const first = buckets[0]?.start ?? 0;
  const ticks = buckets.filter((b) => b.start % props.tickMs === 0);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${props.id}-title ${props.id}-desc`}
    >
      <title id={`${props.id}-title`}>{props.title}</title>
      <desc id={`${props.id}-desc`}>{props.summary}</desc>
      {[0, top / 2, top].map((v) => (
        <g class="chart-grid">
          <line x1={LEFT} x2={WIDTH - RIGHT} y1={round(y(v))} y2={round(y(v))} />
          {/* Counts are whole: a half-way line between 0 and 1 or 5 goes unlabelled. */}
          {Number.isInteger(v) && (
            <text x={LEFT - 5} y={round(y(v)) + 3.5} text-anchor="end">
              {count(v)}
            </text>
          )}
        </g>
      ))}
      {buckets.map((b, i) => {
        let base = 0;
        return props.parts.map((p) => {
          const v = p.value(b);
          if (v === 0) return null;
          const from = base;
          base += v;
          return (
            <rect
              class={`bar bar-${p.tone}`}
              x={round(LEFT + i * slot + (slot - barW) / 2)}
              y={round(y(from + v))}
              width={round(barW)}
              height={round(Math.max(0.75, y(from) - y(from + v)))}
            />
          );
        });
      })}
      {ticks.map((b) => {
        const x = round(LEFT + ((b.start - first) / bucketMs) * slot);
        return (
          <g class="chart-tick">
            <line x1={x} x2={x} y1={TOP + plotH} y2={TOP + plotH + 4} />
            <text x={x} y={HEIGHT - 5} text-anchor="middle">
              {clockTime(b.start)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** What a series' events chart says in words: the total and the busiest bucket. */
export function eventsSummary(series: ActivitySeries, unit: string): string {
  const busiest = series.buckets.reduce<ActivityBucket | null>(
    (best, b) => (b.events > (best?.events ?? 0) ? b : best),
    null,
  );
  const total = `${count(series.totals.events)} event${series.totals.events === 1 ? "" : "s"} in all`;
  return busiest
    ? `${total}; the most in one ${unit}: ${count(busiest.events)}, from ${clockTime(busiest.start)} UTC.`
    : `${total}.`;
}

/** What a series' attempts chart says in words: how many succeeded and failed. */
export function attemptsSummary(series: ActivitySeries): string {
  const { succeeded, failed } = series.totals;
  return `${count(succeeded + failed)} delivery attempts in all: ${count(succeeded)} succeeded, ${count(failed)} failed.`;
}

/** The bars of the events chart. */
export const EVENT_PARTS: readonly Part[] = [{ value: (b) => b.events, tone: "events" }];

/** The bars of the attempts chart: succeeded below, failed stacked on them. */
export const ATTEMPT_PARTS: readonly Part[] = [
  { value: (b) => b.succeeded, tone: "succeeded" },
  { value: (b) => b.failed, tone: "failed" },
];

/** Every bucket with something in it, as a table (the charts' text equivalent). */
export function SeriesTable(props: {
  id: string;
  series: ActivitySeries;
  label: (start: number) => string;
  /** What a bucket is, in words: "minute", "quarter hour". */
  unit: string;
  /** What the table covers: "per minute, last hour". */
  what: string;
}) {
  const rows = props.series.buckets.filter((b) => b.events + b.succeeded + b.failed > 0);
  return (
    <details class="chart-data" id={props.id}>
      <summary>The numbers, {props.what}</summary>
      {rows.length === 0 ? (
        <p class="empty">Nothing in this window.</p>
      ) : (
        <div class="table-wrap">
          <table class="chart-table">
            <caption class="visually-hidden">Events and delivery attempts, {props.what}</caption>
            <thead>
              <tr>
                <th scope="col">From (UTC)</th>
                <th scope="col">Events</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr>
                  <th scope="row">{props.label(b.start)}</th>
                  <td>{count(b.events)}</td>
                  <td>{count(b.succeeded)}</td>
                  <td>{count(b.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="hint">A {props.unit} not listed had none.</p>
        </div>
      )}
    </details>
  );
}
