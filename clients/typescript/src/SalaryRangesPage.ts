import { graphql } from "./gql/index.js";

/** The best-paid salary ranges, ten at a time (the README's second example). */
export const SalaryRangesPageQuery = graphql(`
  query SalaryRangesPageQuery($after: String) {
    salaryRanges(first: 10, after: $after, orderBy: [{ field: MEDIAN, direction: DESC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { median city { name } occupation { title } } }
    }
  }
`);
