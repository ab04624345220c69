# The benchmark's operations: "name|GraphQL request body, or @wrk-script|baseline path (none: no baseline)". Names with "full" run on the full import
# (its 473,598 salary ranges); the others on the seed.
OPERATIONS=(
  'typename|{"query":"{ __typename }"}|/raw'
  'role with skills and tools|{"query":"query($slug: String!) { role(slug: $slug) { slug title skills { edges { rank node { name category } } } tools(first: 100) { edges { hotTechnology inDemand node { name category } } } } }","variables":{"slug":"senior-backend-engineer"}}|/role?slug=senior-backend-engineer'
  '100 roles nested (full)|{"query":"{ roles(first: 100) { nodes { slug title skills { edges { rank node { name category } } } tools(first: 100) { edges { hotTechnology inDemand node { name category } } } salaryRanges(first: 100) { nodes { period median p10 p90 city { name state } } } } } }"}|/roles'
  'salaryStats one role by city (full)|{"query":"{ salaryStats(first: 1000, groupBy: [CITY], filter: { role: { slug: { eq: \"software-developers\" } } }) { nodes { city { name } count employment mean spread { median { min max } } } } }"}|/stats/cities?role=software-developers'
  'salaryStats all rows by state (full)|{"query":"{ salaryStats(first: 100, groupBy: [STATE]) { nodes { state count employment mean spread { median { min max } } } } }"}|/stats/states'
  'createSkill as an editor|@scripts/bench/create-skill.lua|'
)
