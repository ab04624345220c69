// The GraphQL-over-HTTP conformance audit (graphql-http's serverAudits) against a live careerql.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Prints one line per audit and a summary by requirement; exits 1 unless every audit passes.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const counts = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
let failures = 0;
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const requirement = audit.name.split(' ')[0];
  counts[requirement][1] += 1;
  if (result.status === 'ok') {
    counts[requirement][0] += 1;
    console.log(`ok    ${audit.id} ${audit.name}`);
  } else {
    failures += 1;
    const body = await result.response.text().catch(() => '');
    console.log(`FAIL  ${audit.id} ${audit.name}: ${result.reason} (${result.response.status}) ${body.slice(0, 300)}`);
  }
}
const summary = Object.entries(counts).map(([level, [passed, total]]) => `${level} ${passed}/${total}`).join(', ');
console.log(`graphql-http audit: ${summary}`);
process.exit(failures === 0 ? 0 : 1);
