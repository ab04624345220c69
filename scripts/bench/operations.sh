# The benchmark's operations: "name|GraphQL request body|baseline path". Names with "full" run on the full import.
OPERATIONS=(
  'typename|{"query":"{ __typename }"}|/raw'
  'role with skills and tools|{"query":"query($slug: String!) { role(slug: $slug) { slug title skills { edges { rank node { name category } } } tools(first: 100) { edges { hotTechnology inDemand node { name category } } } } }","variables":{"slug":"senior-backend-engineer"}}|/role?slug=senior-backend-engineer'
  '100 roles nested (full)|{"query":"{ roles(first: 100) { nodes { slug title skills { edges { rank node { name category } } } tools(first: 100) { edges { hotTechnology inDemand node { name category } } } salaryRanges(first: 100) { nodes { period median p10 p90 city { name state } } } } } }"}|/roles'
)
