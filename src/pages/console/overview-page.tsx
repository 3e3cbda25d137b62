import { redactUrl } from "../../core/redact-url.js";
import type { DestinationOverview } from "../../operations/destinations.js";
import { type ActivitySeries, successShare, type TenantOverview } from "../../operations/overview.js";
import { circuitLabel, LastError, ms, percent, successRate } from "./destinations-page.js";
import { TenantPicker, time } from "./format.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";
import {
  ATTEMPT_PARTS,
  attemptsSummary,
  BarChart,
  clockTime,
  count,
  dayTime,
  EVENT_PARTS,
  eventsSummary,
  SeriesTable,
} from "./overview-charts.js";
import { OVERVIEW_LIVE } from "./overview-live-script.js";

const HOUR_MS = 60 * 60_000;

/** One of the figures at the top: a label, a big number, a line under it. */
function Figure(props: { label: string; value: string; note: string; tone?: string; href?: string }) {
  return (
    <div class="figure">
      <dt>{props.label}</dt>
      <dd>
        <span class={`figure-value${props.tone ? ` status-${props.tone}` : ""}`}>
          {props.href ? <a href={props.href}>{props.value}</a> : props.value}
        </span>
        <span class="hint">{props.note}</span>
      </dd>
    </div>
  );
}

/** Attempts of a series, in words under its success rate. */
const attemptsNote = (s: ActivitySeries, window: string) => {
  const all = s.totals.succeeded + s.totals.failed;
  return `${count(all)} attempt${all === 1 ? "" : "s"} ${window}, ${count(s.totals.failed)} failed`;
};

/** A window's two charts (events; attempts by outcome) and their numbers. */
function Window(props: {
  id: string;
  heading: string;
  series: ActivitySeries;
  unit: string;
  per: string;
  tickMs: number;
  label: (start: number) => string;
}) {
  const { id, series } = props;
  return (
    <section class="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{props.heading}</h2>
      <div class="charts">
        <figure class="chart-box">
          <figcaption>
            Events received, {props.per} <span class="hint">({count(series.totals.events)})</span>
          </figcaption>
          <BarChart
            id={`${id}-events`}
            title={`Events received ${props.per}, ${props.heading.toLowerCase()}`}
            summary={eventsSummary(series, props.unit)}
            series={series}
            parts={EVENT_PARTS}
            tickMs={props.tickMs}
          />
        </figure>
        <figure class="chart-box">
          <figcaption>
            Delivery attempts, {props.per}{" "}
            <span class="legend">
              <span class="swatch swatch-succeeded" /> succeeded <span class="swatch swatch-failed" /> failed
            </span>
          </figcaption>
          <BarChart
            id={`${id}-attempts`}
            title={`Delivery attempts ${props.per}, ${props.heading.toLowerCase()}`}
            summary={attemptsSummary(series)}
            series={series}
            parts={ATTEMPT_PARTS}
            tickMs={props.tickMs}
          />
        </figure>
      </div>
      <SeriesTable
        id={`${id}-numbers`}
        series={series}
        label={props.label}
        unit={props.unit}
        what={`${props.per}, ${props.heading.toLowerCase()}`}
      />
    </section>
  );
}

/** A destination's name, linking to its page. */
function DestinationLink(props: { d: DestinationOverview; q: string }) {
  const slug = props.d.item.config.slug;
  return <a href={`/destinations/${encodeURIComponent(slug)}${props.q}`}>{slug}</a>;
}

/** The destinations whose attempts failed in the last hour, worst first. */
function Failing(props: { list: readonly DestinationOverview[]; q: string }) {
  return (
    <section class="panel" aria-labelledby="failing-heading">
      <h2 id="failing-heading">Failing destinations</h2>
      {props.list.length === 0 ? (
        <p class="empty">No destination failed in the last hour.</p>
      ) : (
        <div class="table-wrap">
          <table class="failing">
            <caption class="visually-hidden">
              Destinations with failed attempts in the last hour, worst first
            </caption>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Success (1 h)</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {props.list.map((d) => {
                const failed = d.recent.attempts - d.recent.succeeded;
                return (
                  <tr>
                    <td>
                      <DestinationLink d={d} q={props.q} />
                      <div class="hint">
                        circuit <span class={`status-${circuitLabel(d).tone}`}>{circuitLabel(d).text}</span>
                      </div>
                    </td>
                    <td>
                      {successRate(d)}
                      <div class="hint">
                        {count(failed)} of {count(d.recent.attempts)} failed
                      </div>
                    </td>
                    <td class="last-answer">
                      <LastError d={d} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The destinations with the highest latency in the last hour. */
function Slowest(props: { list: readonly DestinationOverview[]; q: string }) {
  return (
    <section class="panel" aria-labelledby="slowest-heading">
      <h2 id="slowest-heading">Slowest destinations</h2>
      {props.list.length === 0 ? (
        <p class="empty">No attempts in the last hour.</p>
      ) : (
        <div class="table-wrap">
          <table class="slowest">
            <caption class="visually-hidden">
              Destinations by p99 latency over the last hour, slowest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">p99</th>
                <th scope="col">p50</th>
              </tr>
            </thead>
            <tbody>
              {props.list.map((d) => (
                <tr>
                  <td>
                    <DestinationLink d={d} q={props.q} />
                    <div class="hint">
                      {count(d.recent.attempts)} attempt{d.recent.attempts === 1 ? "" : "s"}
                    </div>
                  </td>
                  <td class="mono">{ms(d.recent.p99Ms)}</td>
                  <td class="mono">{ms(d.recent.p50Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Every destination's state and circuit. */
function Circuits(props: { list: readonly DestinationOverview[]; q: string }) {
  return (
    <section class="panel" aria-labelledby="circuits-heading">
      <h2 id="circuits-heading">Circuits</h2>
      {props.list.length === 0 ? (
        <p class="empty">This tenant has no destinations.</p>
      ) : (
        <ul class="circuits">
          {props.list.map((d) => {
            const circuit = circuitLabel(d);
            return (
              <li>
                <span class="circuit-name">
                  <DestinationLink d={d} q={props.q} />
                  <span class="hint mono url-line">{redactUrl(d.item.config.url)}</span>
                </span>
                <span class="circuit-state">
                  {d.state.state === "disabled" && <span class="status-failed">disabled · </span>}
                  <span class={`status status-${circuit.tone}`}>{circuit.text}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The overview's content, which the live script swaps for a fresh copy. */
export function OverviewBody(props: { tenant: string; overview: TenantOverview }) {
  const { overview: o, tenant } = props;
  const q = tenantQuery(tenant);
  return (
    <>
      <p class="hint updated">
        As of <time datetime={new Date(o.at).toISOString()}>{time(o.at)}</time> ·{" "}
        <a href={`/overview${q}`}>Refresh</a>
      </p>
      <dl class="figures">
        <Figure
          label="Success rate, last hour"
          value={percent(successShare(o.hour.totals))}
          note={attemptsNote(o.hour, "in the hour")}
        />
        <Figure
          label="Success rate, last 24 hours"
          value={percent(successShare(o.day.totals))}
          note={attemptsNote(o.day, "in the day")}
        />
        <Figure label="Pending" value={count(o.pending)} note="deliveries waiting to be sent or retried" />
        <Figure
          label="Dead letters"
          value={count(o.dead)}
          note="deliveries that ran out of retries"
          href={`/dead-letters${q}`}
          {...(o.dead > 0 ? { tone: "failed" } : {})}
        />
      </dl>
      <Window
        id="hour"
        heading="Last hour"
        series={o.hour}
        unit="minute"
        per="per minute"
        tickMs={15 * 60_000}
        label={clockTime}
      />
      <Window
        id="day"
        heading="Last 24 hours"
        series={o.day}
        unit="quarter hour"
        per="per quarter hour"
        tickMs={6 * HOUR_MS}
        label={dayTime}
      />
      <div class="overview-lists">
        <Failing list={o.failing} q={q} />
        <Slowest list={o.slowest} q={q} />
      </div>
      <Circuits list={o.destinations} q={q} />
    </>
  );
}

/** The console's overview page: the tenant's traffic, queue and destinations at a glance. */
export function OverviewPage(props: { csrf: string; tenant: string; overview: TenantOverview }) {
  return (
    <ConsoleLayout title="Overview" section="/overview" csrf={props.csrf} scripts={[OVERVIEW_LIVE]}>
      <h1>Overview</h1>
      <TenantPicker action="/overview" tenant={props.tenant} />
      <div id="overview-live" data-live={`/overview/live${tenantQuery(props.tenant)}`}>
        <OverviewBody tenant={props.tenant} overview={props.overview} />
      </div>
    </ConsoleLayout>
  );
}
