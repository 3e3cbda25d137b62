import { type ActionRunDetail, checkNameOf, isCheckRun } from "../../storage/actions-port.js";
import { statusClass } from "../components.js";
import { Layout } from "../layout.js";

const time = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** One run of a deployment integration action or check: where it stands, its steps, its reports to Vercel. */
export function ActionPage(props: { detail: ActionRunDetail; configureUrl: string }) {
  const { run, reports } = props.detail;
  const what = run.kind === "check" ? "Check" : "Action";
  // A checks-v2 run goes by its Vercel check's name once read, by that check's id before.
  const name = run.kind === "check" ? (checkNameOf(run) ?? run.action) : run.action;
  return (
    <Layout title={`${what} ${name}`} wide>
      <h1>
        {what} <span class="mono">{name}</span>
      </h1>
      <p class="lead">
        Deployment <span class="mono">{run.deploymentId}</span>
      </p>
      <dl class="settings">
        <dt>Status</dt>
        <dd class={statusClass(run.status)}>{run.status}</dd>
        {run.statusText && (
          <>
            <dt>Detail</dt>
            <dd>{run.statusText}</dd>
          </>
        )}
        {isCheckRun(run) ? (
          <>
            <dt>Check run in Vercel</dt>
            <dd class="mono">{run.externalId}</dd>
          </>
        ) : run.kind === "check" ? (
          <>
            <dt>Check in Vercel</dt>
            <dd class="mono">{run.externalId ?? "not created yet"}</dd>
          </>
        ) : (
          <>
            <dt>Resource</dt>
            <dd class="mono">{run.resourceId}</dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{time(run.createdAt)}</dd>
      </dl>
      <h2>Steps</h2>
      <ol>
        {run.steps.map((s) => (
          <li>
            <time datetime={new Date(s.at).toISOString()}>{time(s.at)}</time>: {s.text}
          </li>
        ))}
      </ol>
      <h2>Reports to Vercel</h2>
      {reports.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr>
                  <td>{time(r.createdAt)}</td>
                  <td>{r.state}</td>
                  <td>{r.attempts.map((a) => a.status ?? "no answer").join(", ") || "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href={props.configureUrl}>Back to the configuration</a>
      </p>
    </Layout>
  );
}
