import { TableScroll } from "../components.js";
import { Layout } from "../layout.js";
import type {
  ApiReferenceDocument,
  ReferenceOperation,
  ReferenceParameter,
  ReferenceResponse,
  SchemaObject,
} from "./document.js";

/** Text with `code` spans, as the document writes it (a small part of Markdown). */
function Prose(props: { text: string }) {
  const parts = props.text.split("`");
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
}

/** A schema in one line: its type, and what narrows it (values, pattern, bounds). */
export function schemaSummary(schema: SchemaObject): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as SchemaObject[] | undefined;
  if (alternatives) return alternatives.map(schemaSummary).join(" or ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type ?? "any");
  const notes = [
    typeof schema.pattern === "string" ? `pattern ${schema.pattern}` : null,
    typeof schema.format === "string" ? String(schema.format) : null,
  ].filter((n): n is string => n !== null);
  return notes.length ? `${type} (${notes.join(", ")})` : type;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const anchor = (op: ReferenceOperation) => op.operationId;

function Parameters(props: { name: string; parameters: readonly ReferenceParameter[] }) {
  if (props.parameters.length === 0) return null;
  return (
    <TableScroll label={`Parameters of ${props.name}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">In</th>
            <th scope="col">Type</th>
            <th scope="col">What it is</th>
          </tr>
        </thead>
        <tbody>
          {props.parameters.map((p) => (
            <tr>
              <td>
                <code>{p.name}</code>
                {p.required ? <span class="tag">required</span> : null}
              </td>
              <td>{p.in}</td>
              <td>
                <code>{schemaSummary(p.schema)}</code>
              </td>
              <td>
                {p.description ? <Prose text={p.description} /> : null}
                {p.example !== undefined ? (
                  <>
                    {" "}
                    e.g. <code>{String(p.example)}</code>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** A schema and an example of it, the schema folded away. */
function Shape(props: { label: string; schema: SchemaObject; example: unknown }) {
  return (
    <>
      <details>
        <summary>{props.label}: schema</summary>
        <pre class="payload" tabindex={0}>
          {json(props.schema)}
        </pre>
      </details>
      {props.example !== undefined ? (
        <pre class="payload" tabindex={0}>
          {typeof props.example === "string" ? props.example : json(props.example)}
        </pre>
      ) : null}
    </>
  );
}

/** The answers with a status below 400: each its description and shape. */
function Answers(props: { responses: Readonly<Record<string, ReferenceResponse>> }) {
  const answers = Object.entries(props.responses).filter(([status]) => Number(status) < 400);
  return (
    <>
      {answers.map(([status, answer]) => {
        const [type, content] = Object.entries(answer.content ?? {})[0] ?? [];
        return (
          <>
            <h4>
              {status} <Prose text={answer.description} />
            </h4>
            {content ? (
              <Shape label={`${status} ${type}`} schema={content.schema} example={content.example} />
            ) : null}
          </>
        );
      })}
    </>
  );
}

/** The error answers: each code, its status and what it means. */
function Errors(props: { name: string; responses: Readonly<Record<string, ReferenceResponse>> }) {
  const rows = Object.entries(props.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([status, answer]) =>
      Object.entries(answer.content?.["application/json"]?.examples ?? {}).map(([code, example]) => ({
        status,
        code,
        meaning: (example.value as { message?: string }).message ?? "",
      })),
    );
  return (
    <TableScroll label={`Error codes of ${props.name}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Code</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{r.status}</td>
              <td>
                <code>{r.code}</code>
              </td>
              <td>
                <Prose text={r.meaning} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function Operation(props: { method: string; path: string; op: ReferenceOperation }) {
  const { op } = props;
  const parameters = op.parameters.filter((p): p is ReferenceParameter => !("$ref" in p));
  const body = op.requestBody?.content["application/json"];
  const name = `${props.method.toUpperCase()} ${props.path}`;
  return (
    <section class="panel" id={anchor(op)}>
      <h3>
        <code>{name}</code>
        {op.security?.length === 0 ? <span class="tag">no token</span> : null}
      </h3>
      <p>
        <Prose text={op.summary} />
        {op.description ? (
          <>
            {". "}
            <Prose text={op.description} />
          </>
        ) : null}
      </p>
      <Parameters name={name} parameters={parameters} />
      {body ? <Shape label="Request body" schema={body.schema} example={body.example} /> : null}
      <Answers responses={op.responses} />
      <Errors name={name} responses={op.responses} />
    </section>
  );
}

/**
 * The management API's reference, rendered from its OpenAPI document: each operation with its
 * parameters, body, answers (a schema and an example each) and the error codes it can give.
 */
export function ApiReferencePage(props: { document: ApiReferenceDocument; documentPath: string }) {
  const { document } = props;
  const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  return (
    <Layout title="API reference" wide>
      <h1>{document.info.title}</h1>
      <p class="lead">
        <Prose text={document.info.description} />
      </p>
      <p>
        Version {document.info.version}. The same as OpenAPI 3.1:{" "}
        <a href={props.documentPath}>{props.documentPath}</a>. The <code>tenant</code> query parameter is
        taken by every operation that needs the token.
      </p>
      <nav aria-label="Operations">
        {document.tags.map((tag) => (
          <>
            <p>
              <strong>{tag.name}</strong>
            </p>
            <ul>
              {operations
                .filter((o) => o.op.tags.includes(tag.name))
                .map((o) => (
                  <li>
                    <a href={`#${anchor(o.op)}`}>
                      <code>
                        {o.method.toUpperCase()} {o.path}
                      </code>
                    </a>{" "}
                    <Prose text={o.op.summary} />
                  </li>
                ))}
            </ul>
          </>
        ))}
      </nav>
      {document.tags.map((tag) => (
        <>
          <h2>{tag.name}</h2>
          {operations
            .filter((o) => o.op.tags.includes(tag.name))
            .map((o) => (
              <Operation method={o.method} path={o.path} op={o.op} />
            ))}
        </>
      ))}
    </Layout>
  );
}
