// `node dist/main.js ENDPOINT`: runs the three example queries through the typed client and prints what the
// functions return, as JSON (the test suite checks it against the seed).
import { bestPaidRanges, seniorBackendEngineer, topPayingCities } from "./index.js";

const endpoint = process.argv[2] ?? "http://127.0.0.1:8080/graphql";
const role = await seniorBackendEngineer(endpoint);
const firstPages = [];
for await (const page of bestPaidRanges(endpoint, 2)) {
  firstPages.push(page);
}
const cities = await topPayingCities(endpoint);
console.log(JSON.stringify({ role, firstPages, cities }));
