// The typed client's checks, in order, failing on the first error:
//   1. GraphQL Code Generator (client preset) generates src/gql/ from ../../schema.graphql and the operations
//      in src/ (an operation the schema does not allow fails here);
//   2. `tsc --noEmit` type-checks the client against those types;
//   3. relay-compiler compiles the same operations under Relay's rules. Relay reads only `graphql` tagged
//      templates, so it runs on a copy of src/ in which each `graphql(`…`)` call is written as one;
//   4. with an ENDPOINT, the client is compiled and run against it, printing its JSON on stdout.
// Usage: [CAREERQL_SCHEMA=FILE] node check.mjs [ENDPOINT]   (default schema: ../../schema.graphql)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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

  // Relay's copy of the operations: the same files, calls turned into tagged templates.
  const relaySrc = join(work, "relay", "src");
  mkdirSync(relaySrc, { recursive: true });
  let operations = 0;
  for (const file of readdirSync(join(here, "src"))) {
    if (!file.endsWith(".ts")) continue;
    const text = readFileSync(join(here, "src", file), "utf8");
    const calls = text.match(/graphql\(`/g)?.length ?? 0;
    const tagged = text.replace(/graphql\(`([^`]*)`\)/g, "graphql`$1`");
    if (tagged.includes("graphql(`")) {
      throw new Error(`${file}: an operation that is not a plain graphql(\`…\`) call`);
    }
    operations += calls;
    writeFileSync(join(relaySrc, file), tagged);
  }
  if (operations === 0) throw new Error("no operations found in src/");
  writeFileSync(
    join(work, "relay", "relay.config.json"),
    JSON.stringify({ src: "./src", schema: resolve(schema), language: "typescript" }),
  );
  const relay = step("relay-compiler", bin("relay-compiler"), [], { cwd: join(work, "relay") });
  const compiled = /compiled documents: \d+ reader, (\d+) normalization/.exec(relay);
  if (!compiled || Number(compiled[1]) !== operations) {
    throw new Error(`relay-compiler compiled ${compiled?.[1] ?? "no"} operations of ${operations}:\n${relay}`);
  }
  process.stderr.write(`typed client: ${operations} operations pass codegen, tsc and relay-compiler\n`);

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
