import { graphql } from "./gql/index.js";

/**
 * The metropolitan areas where API developers' median pay is highest, with the percentiles of what all the
 * area's ranges add up to (the README's third example).
 */
export const TopPayingCitiesQuery = graphql(`
  query TopPayingCitiesQuery {
    salaryStats(
      filter: { role: { slug: { eq: "api-developer" } }, city: { kind: { eq: METROPOLITAN } } }
      groupBy: [CITY]
      orderBy: [{ field: MEDIAN_MAX, direction: DESC }]
      first: 5
    ) {
      nodes {
        city { name state }
        count employment mean
        estimate { p10 median p90 exact lowerBounds }
      }
    }
  }
`);
