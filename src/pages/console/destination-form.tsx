import type { DestinationConfig } from "../../config/routing-schema.js";
import { formatDuration } from "../../core/duration.js";
import { newSigningSecret } from "../../operations/topology-items.js";
import { Button, ErrorList, Field, Hidden } from "../components.js";
import type { ConsoleForm } from "./guard.js";
import { ConsoleLayout } from "./layout.js";

/** The form's fields, each a text as a person typed it. */
export interface DestinationFields {
  slug: string;
  url: string;
  scheme: string;
  timeout: string;
  maxConcurrency: string;
  rateLimit: string;
  schedule: string;
  maxAge: string;
  jitter: string;
  ordering: string;
}

type FieldName = keyof DestinationFields;

/** What the schema's issue paths (`path: message`) belong to, longest path first. */
const ISSUE_FIELDS: readonly [string, FieldName][] = [
  ["retry.schedule", "schedule"],
  ["retry.maxAge", "maxAge"],
  ["retry.jitter", "jitter"],
  ["maxConcurrency", "maxConcurrency"],
  ["rateLimit", "rateLimit"],
  ["ordering", "ordering"],
  ["timeout", "timeout"],
  ["signing", "scheme"],
  ["slug", "slug"],
  ["url", "url"],
];

/** Each field's label, for the list of what to correct. */
const LABELS: Record<FieldName, string> = {
  slug: "Slug",
  url: "URL",
  scheme: "Signing",
  timeout: "Timeout",
  maxConcurrency: "Requests at once",
  rateLimit: "Rate limit",
  schedule: "Delay before each attempt",
  maxAge: "Give up after",
  jitter: "Jitter",
  ordering: "Ordering",
};

const SCHEMES = [
  ["none", "None (unsigned)"],
  ["standard-webhooks", "Standard Webhooks"],
  ["vercel", "Vercel (x-vercel-signature)"],
] as const;

/** The fields as a destination's settings stand (durations and rates in the config file's words). */
export function fieldsOf(d: DestinationConfig): DestinationFields {
  return {
    slug: d.slug,
    url: d.url,
    scheme: d.signing.scheme,
    timeout: formatDuration(d.timeout),
    maxConcurrency: String(d.maxConcurrency),
    rateLimit: d.rateLimit
      ? `${d.rateLimit.count}/${formatDuration(d.rateLimit.perMs).replace(/^1/, "")}`
      : "",
    schedule: d.retry.schedule.map(formatDuration).join(", "),
    maxAge: formatDuration(d.retry.maxAge),
    jitter: String(d.retry.jitter),
    ordering: d.ordering,
  };
}

/** The fields of a new destination: empty, the defaults shown as hints. */
export const EMPTY_FIELDS: DestinationFields = {
  slug: "",
  url: "",
  scheme: "standard-webhooks",
  timeout: "",
  maxConcurrency: "",
  rateLimit: "",
  schedule: "",
  maxAge: "",
  jitter: "",
  ordering: "none",
};

/** The fields a form submitted, trimmed (a field sent twice counts by its first value). */
export function fieldsFrom(form: ConsoleForm): DestinationFields {
  const text = (name: FieldName) => {
    const v = form[name];
    return (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")).trim();
  };
  return {
    slug: text("slug"),
    url: text("url"),
    scheme: text("scheme"),
    timeout: text("timeout"),
    maxConcurrency: text("maxConcurrency"),
    rateLimit: text("rateLimit"),
    schedule: text("schedule"),
    maxAge: text("maxAge"),
    jitter: text("jitter"),
    ordering: text("ordering"),
  };
}

/** A number where the text is one, else the text (for the schema to refuse with its words). */
const numberOr = (text: string) => (text !== "" && Number.isFinite(Number(text)) ? Number(text) : text);

/**
 * The document (the config file's form) the API would be given for these fields: for a new
 * destination, blank fields are left out (their defaults apply); for a change, a merge patch
 * where a blank field goes back to its default, and a new signing scheme gets a new secret.
 */
export function documentOf(f: DestinationFields, current: DestinationConfig | null): Record<string, unknown> {
  const blank = current === null ? undefined : null;
  const or = <T,>(text: string, value: T) => (text === "" ? blank : value);
  const doc: Record<string, unknown> = {
    url: f.url,
    timeout: or(f.timeout, f.timeout),
    maxConcurrency: or(f.maxConcurrency, numberOr(f.maxConcurrency)),
    rateLimit: or(f.rateLimit, f.rateLimit),
    ordering: or(f.ordering, f.ordering),
    retry: {
      schedule: or(
        f.schedule,
        f.schedule.split(/[\s,]+/).filter((s) => s !== ""),
      ),
      maxAge: or(f.maxAge, f.maxAge),
      jitter: or(f.jitter, numberOr(f.jitter)),
    },
  };
  if (current === null) {
    doc.slug = f.slug;
    doc.signing = { scheme: f.scheme };
  } else if (f.scheme !== current.signing.scheme) {
    const secret = newSigningSecret(f.scheme);
    doc.signing = { scheme: f.scheme, secrets: secret === null ? [] : [secret] };
  }
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/** The schema's issues (`path: message`) by the field they belong to; the rest apart. */
export function fieldErrors(issues: readonly string[]): {
  byField: Partial<Record<FieldName, string>>;
  other: string[];
} {
  const byField: Partial<Record<FieldName, string>> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const match = ISSUE_FIELDS.find(([path]) => issue.startsWith(path));
    if (!match) {
      other.push(issue);
      continue;
    }
    const message = issue.slice(issue.indexOf(":") + 1).trim();
    const field = match[1];
    byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return { byField, other };
}

/** The settings of a destination a person may set: for a new one, its slug too. */
export function DestinationForm(props: {
  action: string;
  csrf: string;
  fields: DestinationFields;
  creating: boolean;
  errors?: { byField: Partial<Record<FieldName, string>>; other: readonly string[] };
  cancel: string;
}) {
  const f = props.fields;
  const err = props.errors?.byField ?? {};
  const failed = props.errors !== undefined;
  const opt = (value: string | undefined) => (value === undefined ? {} : { error: value });
  return (
    <form method="post" action={props.action} class="panel destination-form" novalidate>
      <Hidden name="csrf" value={props.csrf} />
      {failed && (
        <ErrorList
          errors={[
            ...Object.keys(err).map((k) => `${LABELS[k as FieldName]}: ${err[k as FieldName]}`),
            ...(props.errors?.other ?? []),
          ]}
        />
      )}
      {props.creating && (
        <Field
          name="slug"
          label="Slug"
          value={f.slug}
          required
          hint="Lower-case letters, digits, '-' or '_'; routes name the destination by it. It cannot change."
          {...opt(err.slug)}
        />
      )}
      <Field
        name="url"
        label="URL"
        type="url"
        value={f.url}
        required
        hint="Where events are POSTed. Deliveries to private or local addresses are refused unless the server allows them."
        {...opt(err.url)}
      />
      <div class="field">
        <label for="field-scheme">Signing</label>
        <select
          id="field-scheme"
          name="scheme"
          aria-invalid={err.scheme ? "true" : undefined}
          aria-describedby={err.scheme ? "field-scheme-hint field-scheme-error" : "field-scheme-hint"}
        >
          {SCHEMES.map(([value, label]) => (
            <option value={value} selected={f.scheme === value}>
              {label}
            </option>
          ))}
        </select>
        <p class="hint" id="field-scheme-hint">
          {props.creating
            ? "A signing secret is made for the destination and shown once."
            : "A new scheme gets a new secret, shown once."}
        </p>
        {err.scheme && (
          <p class="field-error" id="field-scheme-error">
            {err.scheme}
          </p>
        )}
      </div>
      <fieldset class="form-group">
        <legend>Limits</legend>
        <div class="form-grid">
          <Field name="timeout" label="Timeout" value={f.timeout} hint="Default 30s." {...opt(err.timeout)} />
          <Field
            name="maxConcurrency"
            label="Requests at once"
            value={f.maxConcurrency}
            hint="1 to 1000; default 10."
            {...opt(err.maxConcurrency)}
          />
          <Field
            name="rateLimit"
            label="Rate limit"
            value={f.rateLimit}
            hint="Such as 50/s or 600/m; blank for none."
            {...opt(err.rateLimit)}
          />
          <div class="field">
            <label for="field-ordering">Ordering</label>
            <select id="field-ordering" name="ordering">
              <option value="none" selected={f.ordering !== "fifo"}>
                Any order (faster)
              </option>
              <option value="fifo" selected={f.ordering === "fifo"}>
                One at a time, oldest first
              </option>
            </select>
            {err.ordering && <p class="field-error">{err.ordering}</p>}
          </div>
        </div>
      </fieldset>
      <fieldset class="form-group">
        <legend>Retry</legend>
        <div class="form-grid">
          <Field
            name="schedule"
            label="Delay before each attempt"
            value={f.schedule}
            hint="Durations separated by commas, the first before the first attempt (0s: at once), such as 0s, 5s, 5m, 30m, 2h; blank for the default."
            {...opt(err.schedule)}
          />
          <Field
            name="maxAge"
            label="Give up after"
            value={f.maxAge}
            hint="Such as 24h; blank for the default."
            {...opt(err.maxAge)}
          />
          <Field
            name="jitter"
            label="Jitter"
            value={f.jitter}
            hint="0 to 1: how much each delay may vary."
            {...opt(err.jitter)}
          />
        </div>
      </fieldset>
      <div class="actions">
        <Button>{props.creating ? "Create destination" : "Save changes"}</Button>
        <Button variant="secondary" href={props.cancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** The page of the form: a new destination, or a change to a run-time one. */
export function DestinationFormPage(props: {
  title: string;
  back: string;
  form: Parameters<typeof DestinationForm>[0];
}) {
  return (
    <ConsoleLayout title={props.title} section="/destinations" csrf={props.form.csrf}>
      <p>
        <a href={props.back}>← Back</a>
      </p>
      <h1>{props.title}</h1>
      <DestinationForm {...props.form} />
    </ConsoleLayout>
  );
}
