import type { RouteConfig } from "../../config/routing-schema.js";
import { Button, Notice } from "../components.js";
import { filterText } from "./filter-text.js";
import { TenantPicker } from "./format.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";

/** One route of the list: its config and who manages it. */
export interface RouteRow {
  config: RouteConfig;
  fromConfig: boolean;
}

/** What a route matches, in words: its types, then its filter. */
export function matchText(route: RouteConfig): string {
  const parts = [
    ...(route.types ? [`type is ${route.types.join(" or ")}`] : []),
    ...(route.filter ? [filterText(route.filter)] : []),
  ];
  return parts.length === 0 ? "every event" : parts.join(" AND ");
}

/** The transform of a route in a word: none, code, or its template's name. */
export function transformWord(route: RouteConfig): string {
  const t = route.transform;
  if (!t) return "no";
  return t.template ? `yes (template ${t.template})` : "yes (code)";
}

/** The tenant's routes: the config file's (read-only) and the run-time ones. */
export function RoutesPage(props: {
  csrf: string;
  tenant: string;
  routes: readonly RouteRow[];
  notice?: string;
}) {
  const q = tenantQuery(props.tenant);
  return (
    <ConsoleLayout title="Routes" section="/routes" csrf={props.csrf}>
      <h1>Routes</h1>
      <TenantPicker action="/routes" tenant={props.tenant} />
      {props.notice && <Notice tone="success">{props.notice}</Notice>}
      <p>
        <Button href={`/routes/new${q}`}>New route</Button>
      </p>
      <div class="panel">
        {props.routes.length === 0 ? (
          <p class="empty">This tenant has no routes.</p>
        ) : (
          <div class="table-wrap">
            <table class="routes">
              <caption class="visually-hidden">Routes of tenant {props.tenant}</caption>
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col">Matches</th>
                  <th scope="col">Destinations</th>
                  <th scope="col">Transform</th>
                </tr>
              </thead>
              <tbody>
                {props.routes.map(({ config, fromConfig }) => (
                  <tr>
                    <td>
                      <a href={`/routes/${encodeURIComponent(config.slug)}${q}`}>{config.slug}</a>
                      {fromConfig && <span class="tag">from the config file</span>}
                      <div class="hint">from {config.source.join(", ")}</div>
                    </td>
                    <td class="filter-text" data-label="Matches">
                      {matchText(config)}
                    </td>
                    <td data-label="Destinations">{config.destinations.join(", ")}</td>
                    <td data-label="Transform">{transformWord(config)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </ConsoleLayout>
  );
}
