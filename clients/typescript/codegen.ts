// GraphQL Code Generator: types for the operations in src/, from the schema the server prints.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  // CAREERQL_SCHEMA: another schema to check the client against (the test suite's negative check).
  schema: process.env.CAREERQL_SCHEMA ?? "../../schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  // A missing or invalid operation is an error, never an empty file.
  ignoreNoDocuments: false,
  // Imports with their `.js` extension, as node resolves ES modules: the compiled client runs as it is.
  emitLegacyCommonJSImports: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        // Operations as strings with their types attached: the client posts them with fetch, no GraphQL
        // runtime needed.
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        // JSON is any JSON value: the type says no more than that.
        scalars: { ID: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
