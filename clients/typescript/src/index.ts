// The README's example queries as typed functions: what a frontend would write on top of `execute`.
import { execute } from "./client.js";
import type { SalaryRangesPageQueryQuery } from "./gql/graphql.js";
import { RoleDetailsQuery } from "./RoleDetails.js";
import { SalaryRangesPageQuery } from "./SalaryRangesPage.js";
import { TopPayingCitiesQuery } from "./TopPayingCities.js";

export { CareerqlError, execute } from "./client.js";

/** The senior backend engineer's role: its skills by rank, and its tools with O*NET's flags. */
export async function seniorBackendEngineer(endpoint: string) {
  const { role } = await execute(endpoint, RoleDetailsQuery);
  if (role == null) {
    return null;
  }
  return {
    title: role.title,
    occupation: `${role.occupation.socCode} ${role.occupation.title}`,
    skills: role.skills.edges.map((edge) => ({ rank: edge.rank, name: edge.node.name })),
    hotTools: role.tools.edges.filter((edge) => edge.hotTechnology).map((edge) => edge.node.name),
    toolCount: role.tools.totalCount,
  };
}

/** Every salary range, best-paid first, one page of ten at a time, following `endCursor`. */
export async function* bestPaidRanges(endpoint: string, pages = Infinity) {
  let after: string | null = null;
  for (let page = 0; page < pages; page++) {
    // Annotated: `after` is read by the call and set from its answer, a loop TypeScript won't infer through.
    const { salaryRanges }: SalaryRangesPageQueryQuery = await execute(endpoint, SalaryRangesPageQuery, { after });
    yield salaryRanges.edges.map(({ node }) => ({
      median: node.median,
      city: node.city.name,
      occupation: node.occupation.title,
    }));
    if (!salaryRanges.pageInfo.hasNextPage) {
      return;
    }
    after = salaryRanges.pageInfo.endCursor;
  }
}

/** The five metropolitan areas where API developers' median pay is highest, with pooled percentiles. */
export async function topPayingCities(endpoint: string) {
  const { salaryStats } = await execute(endpoint, TopPayingCitiesQuery);
  return salaryStats.nodes.map((group) => ({
    city: group.city ? `${group.city.name}, ${group.city.state ?? ""}` : "(no city)",
    ranges: group.count,
    median: group.estimate?.median ?? null,
    exact: group.estimate?.exact ?? false,
  }));
}
