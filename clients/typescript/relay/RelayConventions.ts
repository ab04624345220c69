// For relay-compiler only (check.mjs adds this file to its copy of src/; codegen and tsc never see it, since
// Relay's directives are not in the schema): careerql's connections and Node interface under Relay's own
// conventions. @connection needs connections with `edges { cursor node }` and `pageInfo { endCursor
// hasNextPage }` taking `first`/`after`; @refetchable on a type needs it to implement `Node` with `id: ID!`
// and `Query.node(id: ID!): Node`; @refetchable on Query needs nothing more.
graphql`
  fragment RelayConventions_query on Query
  @argumentDefinitions(first: { type: "Int", defaultValue: 10 }, after: { type: "String" })
  @refetchable(queryName: "RelayConventionsPaginationQuery") {
    salaryRanges(first: $first, after: $after, orderBy: [{ field: MEDIAN, direction: DESC }])
      @connection(key: "RelayConventions_salaryRanges") {
      edges { node { id median city { id name } } }
    }
  }
`;
graphql`
  fragment RelayConventions_role on Role
  @argumentDefinitions(first: { type: "Int", defaultValue: 3 }, after: { type: "String" })
  @refetchable(queryName: "RelayConventionsRoleRefetchQuery") {
    title
    tools(first: $first, after: $after) @connection(key: "RelayConventions_tools") {
      edges { hotTechnology node { id name } }
    }
  }
`;
graphql`
  query RelayConventionsQuery {
    role(slug: "api-developer") { ...RelayConventions_role }
    ...RelayConventions_query
  }
`;
