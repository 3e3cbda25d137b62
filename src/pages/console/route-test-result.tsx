import type { RouteTestResult } from "../../routing/route-test.js";

/** What the route tester was asked: a catalog sample's type, or a stored event's id. */
export interface RouteTestAsk {
  sampleType: string;
  eventId: string;
}

const shown = (v: unknown) => (v === undefined ? "(missing)" : JSON.stringify(v));

/** The route tester's answer: the source, each condition with its result, the match, the transform's output. */
export function RouteTestResultPanel(props: { result: RouteTestResult; against: string }) {
  const { result } = props;
  return (
    <section class="panel" aria-labelledby="test-result">
      <h2 id="test-result">Test result</h2>
      <p role="status">
        Against {props.against}: the route{" "}
        <strong class={result.matched ? "status status-succeeded" : "status status-failed"}>
          {result.matched ? "matches" : "does not match"}
        </strong>
        .
      </p>
      <div class="table-wrap">
        <table class="test-conditions">
          <caption class="visually-hidden">Each condition and its result</caption>
          <thead>
            <tr>
              <th scope="col">Condition</th>
              <th scope="col">Found</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>source is {result.source.expected.join(" or ")}</td>
              <td class="mono" data-label="Found">
                {result.source.actual}
              </td>
              <td data-label="Result">
                <Verdict result={result.source.result} />
              </td>
            </tr>
            {result.conditions.map((c) => (
              <tr>
                <td>
                  <span class="mono">{c.field}</span> {c.operator.replace("_", " ")}
                  {c.value !== undefined && <span class="mono"> {JSON.stringify(c.value)}</span>}
                  <div class="hint mono">{c.path}</div>
                </td>
                <td class="mono" data-label="Found">
                  {c.found ? shown(c.actual) : "(missing)"}
                </td>
                <td data-label="Result">
                  <Verdict result={c.result} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Transform</h3>
      {result.transform === null ? (
        <p>
          {result.matched
            ? "No transform: the event is sent as it is."
            : "Not run: the route does not match."}
        </p>
      ) : result.transform.error ? (
        <p class="field-error" role="alert">
          The transform failed: {result.transform.error.message}
          {result.transform.error.line !== null && ` (line ${result.transform.error.line})`}
        </p>
      ) : result.transform.outcome === "skipped" ? (
        <p>The transform skipped this event (it returned null): nothing would be sent.</p>
      ) : (
        <>
          <p class="hint">
            {result.transform.contentType}, {result.transform.bytes} bytes
          </p>
          <pre class="payload" tabindex={0}>
            {typeof result.transform.output === "string"
              ? result.transform.output
              : JSON.stringify(result.transform.output, null, 2)}
          </pre>
        </>
      )}
    </section>
  );
}

function Verdict(props: { result: boolean }) {
  return (
    <span class={props.result ? "status status-succeeded" : "status status-failed"}>
      {props.result ? "true" : "false"}
    </span>
  );
}

/** What a route test is asked to run on: a catalog sample's type, or a stored event's id. */
export function RouteTestAskFields(props: { sampleTypes: readonly string[]; ask: RouteTestAsk }) {
  return (
    <>
      <div class="field">
        <label for="field-sampleType">A sample of type</label>
        <select id="field-sampleType" name="sampleType">
          <option value="">(none: use the event id)</option>
          {props.sampleTypes.map((t) => (
            <option value={t} selected={props.ask.sampleType === t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="field-eventId">Or a stored event's id</label>
        <input id="field-eventId" name="eventId" value={props.ask.eventId} placeholder="evt_…" class="mono" />
      </div>
    </>
  );
}
