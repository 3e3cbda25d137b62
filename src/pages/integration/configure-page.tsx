import type { DeliveryRecord } from "../../core/delivery-types.js";
import type { VercelProject } from "../../integration/vercel-api.js";
import type { RelaySettings } from "../../operations/relay-settings.js";
import type { RunItem } from "../../operations/run-settings.js";
import type { ActionRun } from "../../storage/actions-port.js";
import { Button, Hidden, Notice, statusClass } from "../components.js";
import { ConsoleLayout } from "../console/layout.js";
import { INTEGRATION_BASE, installationScope } from "./installation-access.js";
import { RunsForm, type RunsFormError } from "./runs-form.js";

/** A short message at the top of the configuration page after an action. */
export type ConfigureNotice =
  | { kind: "saved" }
  | { kind: "runs-saved" }
  | { kind: "test-sent" }
  | { kind: "rotated"; secret: string };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A delivery's time, short enough for a phone: `Dec 2, 08:10:41` (UTC). */
function when(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.toISOString().slice(11, 19)}`;
}

/** The configuration page: an installation's settings, its latest deliveries, and what can be done. */
export function ConfigurePage(props: {
  installationId: string;
  scope: string;
  settings: RelaySettings | null;
  deliveries: readonly DeliveryRecord[];
  /** The installation's latest deployment action runs (none when no action ran). */
  actionRuns: readonly ActionRun[];
  projectNames: ReadonlyMap<string, string>;
  /** The server's deployment actions and checks, where each runs, and the projects to choose from. */
  runs: {
    items: readonly RunItem[];
    projects: { projects: readonly VercelProject[]; error: string | null };
    error?: RunsFormError;
  };
  csrf: string;
  notice?: ConfigureNotice;
}) {
  const { settings } = props;
  const action = (what: string) =>
    `/integrations/vercel/configure/${what}?configurationId=${encodeURIComponent(props.installationId)}`;
  return (
    <ConsoleLayout
      title="Relay configuration"
      section="/configure"
      csrf={props.csrf}
      scope={installationScope(props.installationId)}
    >
      <h1>Relay configuration</h1>
      <p class="lead">
        {props.scope} · <span class="mono">{props.installationId}</span>
      </p>
      {props.notice?.kind === "saved" && <Notice tone="success">Settings saved.</Notice>}
      {props.notice?.kind === "runs-saved" && (
        <Notice tone="success">Deployment actions and checks saved: new deployments follow them.</Notice>
      )}
      {props.notice?.kind === "test-sent" && (
        <Notice tone="success">
          A test event is on its way to your endpoint. Reload to see its delivery.
        </Notice>
      )}
      {props.notice?.kind === "rotated" && (
        <div class="notice notice-success" role="status">
          <p>
            <strong>New signing secret.</strong> Copy it now: it is shown only once. Requests are signed with
            it from now on.
          </p>
          <p class="secret" id="new-secret">
            {props.notice.secret}
          </p>
        </div>
      )}
      <h2>Settings</h2>
      {settings ? (
        <dl class="settings">
          <dt>Endpoint</dt>
          <dd class="mono">{settings.url}</dd>
          <dt>Events</dt>
          <dd>
            {settings.events.length} event types: <span class="mono">{settings.events.join(", ")}</span>
          </dd>
          <dt>Projects</dt>
          <dd>
            {settings.projects === "all"
              ? "All projects"
              : settings.projects.map((id) => props.projectNames.get(id) ?? id).join(", ")}
          </dd>
        </dl>
      ) : (
        <Notice>Nothing is relayed yet: choose an endpoint and events.</Notice>
      )}
      <div class="actions">
        <Button href="/integrations/vercel/setup" variant={settings ? "secondary" : "primary"}>
          {settings ? "Change settings" : "Set up the relay"}
        </Button>
        {settings && (
          <form method="post" action={action("test")} class="inline">
            <Hidden name="csrf" value={props.csrf} />
            <Button variant="secondary">Send a test event</Button>
          </form>
        )}
        {settings && (
          <form method="post" action={action("rotate")} class="inline">
            <Hidden name="csrf" value={props.csrf} />
            <Button variant="secondary">Rotate signing secret</Button>
          </form>
        )}
      </div>
      {props.runs.items.length > 0 && (
        <RunsForm
          items={props.runs.items}
          projects={props.runs.projects}
          action={action("runs")}
          csrf={props.csrf}
          error={props.runs.error}
        />
      )}
      <div class="page-head">
        <h2>Latest deliveries</h2>
        <a class="button button-secondary button-small" href={`${INTEGRATION_BASE}/events`}>
          All events
        </a>
      </div>
      {props.deliveries.length === 0 ? (
        <p class="empty">No deliveries yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr>
                  <td>
                    <time datetime={new Date(d.createdAt).toISOString()}>{when(d.createdAt)}</time>
                  </td>
                  <td>
                    <a class="mono" href={`${INTEGRATION_BASE}/events/${d.eventId}`}>
                      {d.eventType}
                    </a>
                  </td>
                  <td class={statusClass(d.status)}>
                    {d.status}
                    {d.lastStatus !== null ? ` · ${d.lastStatus}` : d.lastError ? " · no answer" : ""}
                  </td>
                  <td>{d.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.actionRuns.length > 0 && (
        <>
          <h2>Deployment actions</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Action</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {props.actionRuns.map((r) => (
                  <tr>
                    <td>
                      <time datetime={new Date(r.createdAt).toISOString()}>{when(r.createdAt)}</time>
                    </td>
                    <td>
                      <a class="mono" href={`/integrations/vercel/actions/${r.id}`}>
                        {r.action}
                      </a>
                    </td>
                    <td class={statusClass(r.status)}>{r.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <div class="danger-zone">
        <h2>Uninstall</h2>
        <p>
          Removes the integration from this Vercel account and deletes everything Switchyard keeps for it:
          settings, events and deliveries.
        </p>
        <form method="post" action={action("uninstall")}>
          <Hidden name="csrf" value={props.csrf} />
          <div class="check">
            <input type="checkbox" id="confirm-uninstall" name="confirm" value="yes" required />
            <label for="confirm-uninstall">I want to uninstall and delete this installation's data</label>
          </div>
          <div class="actions">
            <Button variant="danger">Uninstall</Button>
          </div>
        </form>
      </div>
    </ConsoleLayout>
  );
}
