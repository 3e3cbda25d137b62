/**
 * What the reference page reads of an OpenAPI 3.1 document: the http layer builds the document
 * and hands it in (pages do not import http), so its shape is said here, structurally.
 */
export interface ApiReferenceDocument {
  info: { title: string; version: string; description: string };
  tags: readonly { name: string }[];
  paths: Readonly<Record<string, Readonly<Record<string, ReferenceOperation>>>>;
  components: Readonly<Record<string, unknown>>;
}

/** A JSON Schema, as the document holds it. */
export type SchemaObject = Readonly<Record<string, unknown>>;

/** One operation of the document. */
export interface ReferenceOperation {
  operationId: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  parameters: readonly (ReferenceParameter | { $ref: string })[];
  requestBody?: { content: Readonly<Record<string, { schema: SchemaObject; example?: unknown }>> };
  responses: Readonly<Record<string, ReferenceResponse>>;
  security?: readonly unknown[];
}

export interface ReferenceParameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: SchemaObject;
  example?: unknown;
}

export interface ReferenceResponse {
  description: string;
  content?: Readonly<
    Record<
      string,
      { schema: SchemaObject; example?: unknown; examples?: Readonly<Record<string, { value: unknown }>> }
    >
  >;
}
