import { Button, ErrorList, Field } from "../components.js";
import { ConsoleLayout } from "./layout.js";

/** The console's sign-in: the admin token, once; the browser then holds a session, never the token. */
export function SignInPage(props: { next: string; error?: string; notice?: string }) {
  return (
    <ConsoleLayout title="Sign in">
      <div class="panel sign-in">
        <h1>Sign in</h1>
        <p class="lead">Enter this server's admin token to open the console.</p>
        {props.notice && (
          <div class="notice" role="status">
            <p>{props.notice}</p>
          </div>
        )}
        <ErrorList errors={props.error ? [props.error] : []} title="Not signed in" />
        <form method="post" action="/sign-in">
          <input type="hidden" name="next" value={props.next} />
          <Field
            name="token"
            label="Admin token"
            type="password"
            required
            autocomplete="current-password"
            hint="The adminToken of the config, or the one `switchyard serve` printed on first start (.switchyard/credentials.json)."
            {...(props.error ? { error: props.error } : {})}
          />
          <div class="actions">
            <Button>Sign in</Button>
          </div>
        </form>
      </div>
    </ConsoleLayout>
  );
}
