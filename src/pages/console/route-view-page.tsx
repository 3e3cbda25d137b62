import type { RouteConfig } from "../../config/routing-schema.js";
import type { RouteTestResult } from "../../routing/route-test.js";
import { Button } from "../components.js";
import { tenantQuery } from "./guard.js";
import { ConsoleLayout } from "./layout.js";
import { type RouteTestAsk, RouteTestAskFields, RouteTestResultPanel } from "./route-test-result.js";
import { matchText, transformWord } from "./routes-page.js";

/** A route of the config file: what it does, no change controls, and the route tester. */
export function RouteViewPage(props: {
  csrf: string;
  tenant: string;
  route: RouteConfig;
  sampleTypes: readonly string[];
  ask: RouteTestAsk;
  test?: { result: RouteTestResult; against: string } | { error: string };
}) {
  const { route } = props;
  const q = tenantQuery(props.tenant);
  return (
    <ConsoleLayout title={`Route ${route.slug}`} section="/routes" csrf={props.csrf}>
      <p>
        <a href={`/routes${q}`}>All routes</a>
      </p>
      <h1>
        Route {route.slug} <span class="tag">from the config file</span>
      </h1>
      <div class="panel">
        <p class="hint filter-help">This route is defined in the config file: change it there.</p>
        <dl class="settings">
          <dt>Sources</dt>
          <dd>{route.source.join(", ")}</dd>
          <dt>Matches</dt>
          <dd class="filter-text">{matchText(route)}</dd>
          <dt>Destinations</dt>
          <dd>{route.destinations.join(", ")}</dd>
          <dt>Transform</dt>
          <dd>{transformWord(route)}</dd>
        </dl>
      </div>
      <form method="post" action={`/routes/${encodeURIComponent(route.slug)}/test${q}`} class="panel">
        <input type="hidden" name="csrf" value={props.csrf} />
        <h2>Test this route</h2>
        <div class="filters test-ask">
          <RouteTestAskFields sampleTypes={props.sampleTypes} ask={props.ask} />
          <div>
            <Button variant="secondary">Test this route</Button>
          </div>
        </div>
      </form>
      {props.test &&
        ("error" in props.test ? (
          <div class="notice notice-error" role="alert">
            <p>The test could not run: {props.test.error}</p>
          </div>
        ) : (
          <RouteTestResultPanel result={props.test.result} against={props.test.against} />
        ))}
    </ConsoleLayout>
  );
}
