import type { TypedDocumentString } from "./gql/graphql.js";

/** A GraphQL error as careerql reports it: a message and, for every error it raises, `extensions.code`. */
export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

/** The answer held errors: `data` is what was resolved anyway (null fields where the errors are). */
export class CareerqlError extends Error {
  constructor(
    readonly errors: GraphQLError[],
    readonly data: unknown,
  ) {
    super(errors.map((error) => `${error.extensions?.code ?? "ERROR"}: ${error.message}`).join("; "));
  }
}

/**
 * Runs `document` against careerql's `/graphql` endpoint and returns its data, typed by the operation.
 * Operations without variables take none; the others require theirs.
 */
export async function execute<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLError[] };
  if (body.errors?.length) {
    throw new CareerqlError(body.errors, body.data ?? null);
  }
  if (!response.ok || body.data == null) {
    throw new Error(`careerql answered ${response.status} without data`);
  }
  return body.data;
}
