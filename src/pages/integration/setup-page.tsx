import type { VercelProject } from "../../integration/vercel-api.js";
import { EVENT_GROUPS } from "../../operations/relay-settings.js";
import { Button, Check, ErrorList, Field, Hidden, Notice } from "../components.js";
import { Layout } from "../layout.js";

/** What the setup form shows: the values to fill it with, and what was wrong with the last submit. */
export interface SetupForm {
  url: string;
  events: readonly string[];
  projects: "all" | readonly string[];
  /** Shown once, for an endpoint not yet created; absent once it exists. */
  secret?: string;
  /** Where to go after saving: Vercel's `next`, or back to the configuration page. */
  next: string;
  csrf: string;
  errors: Record<string, string>;
}

/** The setup page: where an installation's events go, which ones, of which projects. */
export function SetupPage(props: {
  form: SetupForm;
  /** The account's projects, or why they could not be listed. */
  projects: { projects: readonly VercelProject[]; error: string | null };
  scope: string;
  editing: boolean;
}) {
  const { form } = props;
  const chosen = new Set(form.events);
  const errors = Object.values(form.errors);
  return (
    <Layout title={props.editing ? "Relay settings" : "Set up the relay"} wide>
      <h1>{props.editing ? "Relay settings" : "Where should your Vercel events go?"}</h1>
      <p class="lead">
        Switchyard relays {props.scope}'s Vercel events to your endpoint, signed like Vercel signs them, and
        retries for 24 hours when it fails.
      </p>
      <ErrorList errors={errors} />
      <form method="post" action="/integrations/vercel/setup" novalidate>
        <Hidden name="csrf" value={form.csrf} />
        <Hidden name="next" value={form.next} />
        <Field
          name="url"
          label="Endpoint URL"
          type="url"
          value={form.url}
          required
          autocomplete="url"
          hint="Your HTTPS endpoint that receives the events as JSON POSTs."
          error={form.errors.url}
        />
        <fieldset aria-describedby={form.errors.events ? "events-error" : undefined}>
          <legend>Events to relay</legend>
          {form.errors.events && (
            <p class="field-error" id="events-error">
              {form.errors.events}
            </p>
          )}
          {EVENT_GROUPS.map((group) => {
            const picked = group.types.filter((t) => chosen.has(t.type)).length;
            const all = picked === group.types.length;
            return (
              <fieldset class="group">
                <legend>{group.label}</legend>
                <Check
                  name="groups"
                  value={group.category}
                  label={`All ${group.noun} events (${group.types.length})`}
                  checked={all}
                  strong
                />
                <details open={picked > 0 && !all}>
                  <summary>Choose single events</summary>
                  <div class="checks">
                    {group.types.map((t) => (
                      <Check
                        name="events"
                        value={t.type}
                        label={<span class="mono">{t.type}</span>}
                        checked={chosen.has(t.type)}
                      />
                    ))}
                  </div>
                </details>
              </fieldset>
            );
          })}
        </fieldset>
        <fieldset>
          <legend>Projects</legend>
          {form.errors.projects && <p class="field-error">{form.errors.projects}</p>}
          <Check
            name="projectScope"
            value="all"
            radio
            label="All projects, and projects created later"
            checked={form.projects === "all"}
          />
          {props.projects.projects.length > 0 && (
            <Check
              name="projectScope"
              value="selected"
              radio
              label="Only the projects chosen below"
              checked={form.projects !== "all"}
            />
          )}
          {props.projects.error ? (
            <Notice>
              The projects could not be listed right now, so all projects are relayed. You can choose projects
              later.
            </Notice>
          ) : (
            <div class="checks choices">
              {props.projects.projects.map((p) => (
                <Check
                  name="projects"
                  value={p.id}
                  label={p.name}
                  checked={form.projects !== "all" && form.projects.includes(p.id)}
                />
              ))}
            </div>
          )}
          <p class="hint">Events about no project (domains, invoices) are relayed either way.</p>
        </fieldset>
        {form.secret !== undefined && (
          <div class="field">
            <label for="field-secret">Signing secret</label>
            <input id="field-secret" class="secret" name="secret" value={form.secret} readonly />
            <p class="hint">
              Copy it now: it is shown only here. Each request carries <code>x-vercel-signature</code>, the
              hex HMAC-SHA1 of the raw body with this secret, so a handler written for Vercel's webhooks works
              unchanged.
            </p>
          </div>
        )}
        <div class="actions">
          <Button>{props.editing ? "Save settings" : "Save and finish"}</Button>
        </div>
      </form>
    </Layout>
  );
}
