import type { Child } from "hono/jsx";

/** A labelled input with an optional hint and error, tied to it for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  type?: "text" | "url" | "email" | "password" | "number";
  value?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  autocomplete?: string;
}) {
  const id = `field-${props.name}`;
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** What a submitted form got wrong, announced at once; nothing when there is nothing. */
export function ErrorList(props: { errors: readonly string[]; title?: string }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <strong>{props.title ?? "Please correct the following:"}</strong>
      </p>
      <ul>
        {props.errors.map((error) => (
          <li>{error}</li>
        ))}
      </ul>
    </div>
  );
}

/** A form's button, or with `href` a link that looks like one. */
export function Button(props: {
  children: Child;
  type?: "submit" | "button";
  variant?: "primary" | "secondary" | "danger";
  href?: string;
  name?: string;
  value?: string;
}) {
  const className =
    props.variant && props.variant !== "primary" ? `button button-${props.variant}` : "button";
  if (props.href !== undefined) {
    return (
      <a class={className} href={props.href}>
        {props.children}
      </a>
    );
  }
  return (
    <button class={className} type={props.type ?? "submit"} name={props.name} value={props.value}>
      {props.children}
    </button>
  );
}

/** A short message above a page's content: information, success or failure. */
export function Notice(props: { tone?: "info" | "success" | "error"; children: Child }) {
  const tone = props.tone ?? "info";
  return (
    <div
      class={tone === "info" ? "notice" : `notice notice-${tone}`}
      role={tone === "error" ? "alert" : "status"}
    >
      <p>{props.children}</p>
    </div>
  );
}

/** A checkbox (or, with `radio`, a radio button) with its label beside it. */
export function Check(props: {
  name: string;
  value: string;
  label: Child;
  checked?: boolean;
  radio?: boolean;
  strong?: boolean;
  required?: boolean;
}) {
  const id = `${props.name}-${props.value}`.replace(/[^A-Za-z0-9_-]/g, "-");
  return (
    <div class={props.strong ? "check check-all" : "check"}>
      <input
        type={props.radio ? "radio" : "checkbox"}
        id={id}
        name={props.name}
        value={props.value}
        checked={props.checked}
        required={props.required}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/**
 * The box of a table that may be wider than the screen: it scrolls sideways, and is focusable and
 * named (a region) so that a keyboard can scroll it too.
 */
export function TableScroll(props: { label: string; children: Child }) {
  return (
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      {props.children}
    </section>
  );
}

/** A form's hidden field. */
export function Hidden(props: { name: string; value: string }) {
  return <input type="hidden" name={props.name} value={props.value} />;
}

/** The colour class of a run's or delivery's status: done well, failed, or still going. */
export function statusClass(status: string): string {
  const tone =
    status === "succeeded" || status === "cleaned" ? "succeeded" : status === "failed" ? "failed" : "pending";
  return `status status-${tone}`;
}
