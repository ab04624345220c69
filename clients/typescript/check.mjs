// The typed client's checks, in order, failing on the first error:
//   1. GraphQL Code Generator (client preset) generates src/gql/ from ../../schema.graphql and the operations
//      in src/ (an operation the schema does not allow fails here);
//   2. `tsc --noEmit` type-checks the client against those types;
//   3. relay-compiler compiles the same operations under Relay's rules, with the Relay-only fragments in
//      relay/ (pagination with @connection, refetching through Node with @refetchable). Relay reads only
//      `graphql` tagged templates, so it runs on a copy of src/ in which each `graphql(`…`)` call is one;
//   4. with an ENDPOINT, the client is compiled and run against it, printing its JSON on stdout.
// Usage: [CAREERQL_SCHEMA=FILE] node check.mjs [ENDPOINT]   (default schema: ../../schema.graphql)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, "node_modules", ".bin", name);
const endpoint = process.argv[2];
// The schema to check against; codegen.ts reads the same variable.
const schema = process.env.CAREERQL_SCHEMA ?? join(here, "..", "..", "schema.graphql");
const work = mkdtempSync(join(tmpdir(), "careerql-typed-client-"));

function step(name, command, args, options = {}) {
  process.stderr.write(`typed client: ${name}\n`);
  try {
    const env = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
    const stdio = ["ignore", "pipe", "pipe"];
    return execFileSync(command, args, { cwd: here, env, encoding: "utf8", stdio, ...options });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    process.stderr.write(`typed client: ${name} failed\n`);
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  }
}

try {
  step("codegen", bin("graphql-codegen"), ["--config", "codegen.ts"]);
  step("tsc --noEmit", bin("tsc"), ["--noEmit"]);

  // Relay's copy of the operations: the same files, calls turned into tagged templates, and relay/'s
  // Relay-only documents beside them.
  const relaySrc = join(work, "relay", "src");
  mkdirSync(relaySrc, { recursive: true });
  const expected = [];
  for (const [dir, file] of [
    ...readdirSync(join(here, "src")).map((file) => ["src", file]),
    ...readdirSync(join(here, "relay")).map((file) => ["relay", file]),
  ]) {
    if (!file.endsWith(".ts")) continue;
    const text = readFileSync(join(here, dir, file), "utf8");
    const tagged = text.replace(/graphql\(`([^`]*)`\)/g, "graphql`$1`");
    if (tagged.includes("graphql(`")) {
      throw new Error(`${dir}/${file}: an operation that is not a plain graphql(\`…\`) call`);
    }
    // Every operation and fragment must come out of relay-compiler as an artifact of its own.
    for (const [, name] of tagged.matchAll(/graphql`\s*(?:query|mutation|subscription|fragment) (\w+)/g)) {
      expected.push(name);
    }
    for (const [, name] of tagged.matchAll(/@refetchable\(queryName: "(\w+)"\)/g)) expected.push(name);
    writeFileSync(join(relaySrc, file), tagged);
  }
  const operations = expected.length;
  if (operations === 0) throw new Error("no operations found in src/");
  writeFileSync(
    join(work, "relay", "relay.config.json"),
    JSON.stringify({ src: "./src", schema: resolve(schema), language: "typescript" }),
  );
  const relay = step("relay-compiler", bin("relay-compiler"), [], { cwd: join(work, "relay") });
  const missing = expected.filter((name) => !existsSync(join(relaySrc, "__generated__", `${name}.graphql.ts`)));
  if (missing.length) {
    throw new Error(`relay-compiler made nothing for ${missing.join(", ")}:\n${relay}`);
  }
  process.stderr.write(`typed client: ${operations} operations and fragments pass relay-compiler; src/ passes codegen and tsc\n`);

  if (endpoint) {
    step("tsc (build)", bin("tsc"), ["--outDir", join(work, "dist")]);
    process.stdout.write(step("run against " + endpoint, process.execPath, [join(work, "dist", "main.js"), endpoint]));
  }
} catch (error) {
  process.stderr.write(`typed client: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
