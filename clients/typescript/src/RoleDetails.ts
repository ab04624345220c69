import { graphql } from "./gql/index.js";

/** What a senior backend engineer needs and uses (the README's first example). */
export const RoleDetailsQuery = graphql(`
  query RoleDetailsQuery {
    role(slug: "senior-backend-engineer") {
      title
      summary
      responsibilities
      occupation { socCode title }
      specialisations { nodes { slug title } }
      skills { edges { rank node { name category } } }
      tools(first: 100) { totalCount edges { hotTechnology inDemand onetExample node { name category } } }
    }
  }
`);
