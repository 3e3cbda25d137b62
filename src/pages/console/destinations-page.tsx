import { redactUrl } from "../../core/redact-url.js";
import type { DestinationOverview } from "../../operations/destinations.js";
import { Button, Notice } from "../components.js";
import { TenantPicker, time } from "./format.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";

/** The share of attempts that succeeded, or a dash without any. */
export function successRate(d: DestinationOverview): string {
  const { attempts, succeeded } = d.recent;
  return percent(attempts === 0 ? null : succeeded / attempts);
}

/** A share as a percentage (whole, or to a tenth), or a dash for none. */
export function percent(share: number | null): string {
  if (share === null) return "–";
  const pct = 100 * share;
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)}%`;
}

/** A destination's last error and when, or "none". */
export function LastError(props: { d: DestinationOverview }) {
  const last = props.d.recent.lastError;
  return last ? (
    <>
      {last.message}
      <div class="hint">{time(last.at)}</div>
    </>
  ) : (
    <span class="empty">none</span>
  );
}

/** A latency in ms, or a dash. */
export const ms = (v: number | null) => (v === null ? "–" : `${v} ms`);

/** The circuit in words, with its tone. */
export function circuitLabel(d: DestinationOverview): { text: string; tone: string } {
  if (d.circuit === "open") return { text: "open", tone: "failed" };
  if (d.circuit === "half_open") return { text: "half-open", tone: "pending" };
  return { text: "closed", tone: "succeeded" };
}

/** Where a destination is defined, as a tag. */
export function OriginTag(props: { d: DestinationOverview }) {
  return props.d.item.managedBy === "config" ? (
    <span class="tag">from the config file</span>
  ) : (
    <span class="tag tag-runtime">run-time</span>
  );
}

/** The tenant's destinations, each with its health over the last hour. */
export function DestinationsPage(props: {
  csrf: string;
  tenant: string;
  destinations: readonly DestinationOverview[];
  notice?: string;
}) {
  const q = tenantQuery(props.tenant);
  return (
    <ConsoleLayout title="Destinations" section="/destinations" csrf={props.csrf}>
      <div class="page-head">
        <h1>Destinations</h1>
        <Button href={`/destinations/new${q}`}>New destination</Button>
      </div>
      <TenantPicker action="/destinations" tenant={props.tenant} />
      {props.notice && <Notice tone="success">{props.notice}</Notice>}
      <div class="panel">
        {props.destinations.length === 0 ? (
          <p class="empty">This tenant has no destinations.</p>
        ) : (
          <div class="table-wrap">
            <table class="destinations">
              <caption class="visually-hidden">Destinations with their health over the last hour</caption>
              <thead>
                <tr>
                  <th scope="col">Destination</th>
                  <th scope="col">Health</th>
                  <th scope="col">Success (1 h)</th>
                  <th scope="col" class="hide-narrow">
                    p50 / p99
                  </th>
                  <th scope="col">Pending</th>
                  <th scope="col" class="hide-narrow">
                    Last error
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.destinations.map((d) => {
                  const circuit = circuitLabel(d);
                  const slug = d.item.config.slug;
                  return (
                    <tr>
                      <td>
                        <a href={`/destinations/${encodeURIComponent(slug)}${q}`}>{slug}</a>
                        <OriginTag d={d} />
                        <div class="hint mono url-line">{redactUrl(d.item.config.url)}</div>
                      </td>
                      <td>
                        <span class={d.state.state === "active" ? "status-succeeded" : "status-failed"}>
                          {d.state.state}
                        </span>
                        <div class="hint">
                          circuit <span class={`status-${circuit.tone}`}>{circuit.text}</span>
                        </div>
                      </td>
                      <td>
                        {successRate(d)}
                        {d.recent.attempts > 0 && (
                          <div class="hint">
                            {d.recent.attempts} attempt{d.recent.attempts === 1 ? "" : "s"}
                          </div>
                        )}
                      </td>
                      <td class="hide-narrow mono">
                        {ms(d.recent.p50Ms)} / {ms(d.recent.p99Ms)}
                      </td>
                      <td>{d.pending}</td>
                      <td class="hide-narrow">
                        <LastError d={d} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </ConsoleLayout>
  );
}
