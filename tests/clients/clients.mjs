// Real GraphQL clients against a live careerql: Apollo Client (its normalized cache must work, which needs
// every object to have an `id`), urql, and graphql-js, which rebuilds the schema from introspection,
// validates it, and compares it with the checked-in schema.graphql.
// Usage: node clients.mjs http://127.0.0.1:PORT/graphql path/to/schema.graphql
// Subscriptions do not exist yet, so there is no graphql-ws client here.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  validateSchema,
} from 'graphql';

const [url, schemaPath] = process.argv.slice(2);
if (!url || !schemaPath) {
  console.error('usage: node clients.mjs URL SCHEMA_GRAPHQL');
  process.exit(2);
}

async function apollo() {
  const cache = new InMemoryCache();
  const client = new ApolloClient({ link: new HttpLink({ uri: url }), cache });
  const { data } = await client.query({
    query: gql`{ roles(first: 5) { nodes { id slug title occupation { id socCode } } } }`,
  });
  assert.equal(data.roles.nodes.length, 5);
  // Normalized: each role is stored once under its id, and a later query for one role is answered from
  // the same entry.
  const api = data.roles.nodes.find((role) => role.slug === 'api-developer');
  const cacheId = cache.identify({ __typename: 'Role', id: api.id });
  assert.ok(cache.extract()[cacheId], `no cache entry ${cacheId}`);
  const fragment = cache.readFragment({ id: cacheId, fragment: gql`fragment RoleTitle on Role { title }` });
  assert.equal(fragment.title, 'API Developer');
  const occupations = Object.keys(cache.extract()).filter((key) => key.startsWith('Occupation:'));
  assert.ok(occupations.length >= 1 && occupations.length < 5, `shared occupations not merged: ${occupations}`);
  const { data: one } = await client.query({
    query: gql`query One($slug: String!) { role(slug: $slug) { id title summary } }`,
    variables: { slug: 'api-developer' },
  });
  assert.equal(one.role.id, api.id);
  assert.ok(cache.readFragment({ id: cacheId, fragment: gql`fragment RoleSummary on Role { summary title }` }).summary);
  // Errors arrive with their code.
  const failed = await client
    .query({ query: gql`{ role(slug: "no-such-role") { id } }`, errorPolicy: 'all' })
    .catch((error) => ({ error }));
  assert.equal(failed.error?.errors?.[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(failed));
  return `Apollo Client: ${Object.keys(cache.extract()).length} normalized cache entries`;
}

async function urql() {
  const client = new Client({ url, exchanges: [cacheExchange, fetchExchange] });
  const result = await client
    .query('query Cities($first: Int) { cities(first: $first) { nodes { id slug kind } } }', { first: 3 })
    .toPromise();
  assert.equal(result.error, undefined, String(result.error));
  assert.equal(result.data.cities.nodes.length, 3);
  const invalid = await client.query('{ cities { nodes { population } } }', {}).toPromise();
  assert.equal(invalid.error?.graphQLErrors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', String(invalid.error));
  return `urql: ${result.data.cities.nodes.map((city) => city.slug).join(', ')}`;
}

async function introspection() {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) }),
  });
  assert.equal(response.status, 200);
  const { data, errors } = await response.json();
  assert.equal(errors, undefined, JSON.stringify(errors));
  const live = buildClientSchema(data);
  const problems = validateSchema(live);
  assert.deepEqual(problems.map(String), [], 'the live schema is not valid');
  const printedLive = printSchema(lexicographicSortSchema(live));
  const checkedIn = printSchema(lexicographicSortSchema(buildSchema(readFileSync(schemaPath, 'utf8'))));
  if (printedLive !== checkedIn) {
    const liveLines = printedLive.split('\n');
    const fileLines = checkedIn.split('\n');
    const first = liveLines.findIndex((line, index) => line !== fileLines[index]);
    throw new Error(
      `schema.graphql differs from the live schema at line ${first + 1}:\n` +
        `  live: ${liveLines[first]}\n  file: ${fileLines[first]}`,
    );
  }
  return `graphql-js: the introspected schema is valid and equals schema.graphql (${Object.keys(live.getTypeMap()).length} types)`;
}

let failed = false;
for (const check of [apollo, urql, introspection]) {
  try {
    console.log(`ok    ${await check()}`);
  } catch (error) {
    failed = true;
    console.log(`FAIL  ${check.name}: ${error.stack ?? error}`);
  }
}
process.exit(failed ? 1 : 0);
