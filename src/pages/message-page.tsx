import type { Child } from "hono/jsx";
import { Layout } from "./layout.js";

/** A page that only tells something: a failure, or that the window may be closed. */
export function MessagePage(props: { title: string; message: string; children?: Child }) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p class="lead">{props.message}</p>
      {props.children}
    </Layout>
  );
}
