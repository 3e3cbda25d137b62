import { Button } from "../components.js";

/** A time as the console shows it: UTC, to the second. */
export const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");

/** The form that chooses which tenant a section's list shows. */
export function TenantPicker(props: { action: string; tenant: string }) {
  return (
    <search aria-label="Choose a tenant">
      <form method="get" action={props.action} class="panel filters">
        <div class="field">
          <label for="f-tenant">Tenant</label>
          <input id="f-tenant" name="tenant" value={props.tenant} />
        </div>
        <div>
          <Button>Show</Button>
        </div>
      </form>
    </search>
  );
}
