// A supergraph of careerql and a tiny "job postings" subgraph, composed by @apollo/gateway
// (tests/api/federation.rs runs it): `node supergraph.mjs CAREERQL_GRAPHQL_URL`.
//
// The postings subgraph references careerql's `Role` by its key (`slug`) and adds `Role.postings`, so the
// query below crosses the two both ways: postings -> careerql's roles and occupations (careerql's
// `_entities`), and careerql's role -> its postings (the postings subgraph's `_entities`). Prints the
// gateway's JSON response on one line; exits non-zero if composing or querying fails.
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const careerql = process.argv[2];
if (!careerql) {
  console.error('usage: node supergraph.mjs CAREERQL_GRAPHQL_URL');
  process.exit(2);
}

const postings = [
  { id: 'p1', company: 'Acme', role: 'senior-backend-engineer' },
  { id: 'p2', company: 'Globex', role: 'database-administrator' },
  { id: 'p3', company: 'Initech', role: 'api-developer' },
  { id: 'p4', company: 'Umbrella', role: 'api-developer' },
];

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Query {
    jobPostings: [JobPosting!]!
  }

  type JobPosting @key(fields: "id") {
    id: ID!
    company: String!
    role: Role!
  }

  type Role @key(fields: "slug") {
    slug: String!
    postings: [JobPosting!]!
  }
`);

const resolvers = {
  Query: { jobPostings: () => postings },
  JobPosting: {
    __resolveReference: (reference) => postings.find((posting) => posting.id === reference.id),
    role: (posting) => ({ slug: posting.role }),
  },
  Role: {
    postings: (role) => postings.filter((posting) => posting.role === role.slug),
  },
};

const listen = { host: '127.0.0.1', port: 0 };
const subgraph = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const { url: postingsUrl } = await startStandaloneServer(subgraph, { listen });

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: 'careerql', url: careerql },
      { name: 'postings', url: postingsUrl },
    ],
  }),
});
const server = new ApolloServer({ gateway });
const { url: gatewayUrl } = await startStandaloneServer(server, { listen });

const query = `{
  jobPostings { id company role { slug title occupation { socCode title } } }
  role(slug: "api-developer") { title postings { id company } }
}`;
const response = await fetch(gatewayUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query }),
});
const body = await response.json();
console.log(JSON.stringify(body));
await server.stop();
await subgraph.stop();
process.exit(response.ok && !body.errors ? 0 : 1);
