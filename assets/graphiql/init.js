// The playground's own start-up script, served from /assets/graphiql/ rather than inline so that the
// Content-Security-Policy can forbid inline script altogether (src/http/security_headers.rs).
(function () {
  'use strict';

  var defaultQuery = [
    '# Welcome to careerql: real U.S. career data (BLS OEWS May 2025 wages, O*NET 29.2 technology skills).',
    '# Press the run button (or Ctrl-Enter) and pick an operation.',
    '',
    'query RoleWithSkillsAndTools {',
    '  role(slug: "senior-backend-engineer") {',
    '    title',
    '    summary',
    '    responsibilities',
    '    skills { edges { rank node { name category } } }',
    '    tools(first: 5, filter: { category: { eq: DATABASE } }) { edges { hotTechnology inDemand node { name } } }',
    '  }',
    '}',
    '',
    'query BestPaidCitiesForApiDevelopers {',
    '  cities(first: 5, orderBy: [{ field: MEDIAN_WAGE, direction: DESC, role: "api-developer" }]) {',
    '    nodes {',
    '      name',
    '      state',
    '      salaryRanges(filter: { role: { slug: { eq: "api-developer" } }, period: { eq: ANNUAL } }) {',
    '        nodes { median p90 employment source referencePeriod }',
    '      }',
    '    }',
    '  }',
    '}',
    '',
    'query CitiesWhereAMedianExceeds {',
    '  cities(filter: { salaryRange: { role: { slug: { eq: "database-administrator" } }, median: { gt: 130000 }, period: { eq: ANNUAL } } }) {',
    '    totalCount',
    '    nodes { name areaTitle }',
    '  }',
    '}',
    '',
    'query PageThroughSalaryRanges($after: String) {',
    '  salaryRanges(first: 10, after: $after, orderBy: [{ field: MEDIAN, direction: DESC }]) {',
    '    totalCount',
    '    pageInfo { hasNextPage endCursor }',
    '    nodes { median period occupation { title } city { name } }',
    '  }',
    '}',
    '',
    'query Search {',
    '  search(text: "postgress") {',
    '    __typename',
    '    ... on Tool { name category }',
    '    ... on Role { title }',
    '    ... on Skill { name }',
    '    ... on City { name }',
    '  }',
    '}',
    ''
  ].join('\n');

  var url = '/graphql';
  var fetcher =
    typeof GraphiQL.createFetcher === 'function'
      ? GraphiQL.createFetcher({ url: url })
      : function (params) {
          return fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify(params),
            credentials: 'same-origin'
          }).then(function (res) {
            return res.json();
          });
        };

  // Analytics: intentionally none. GraphiQL 4 ships no telemetry, and the server's
  // Content-Security-Policy (connect-src 'self') blocks any request to another origin.

  // Point-and-click query building (@graphiql/plugin-explorer), beside the history; the docs explorer is
  // GraphiQL's reference plugin and stays.
  var plugins = [GraphiQL.HISTORY_PLUGIN, GraphiQLPluginExplorer.explorerPlugin()].filter(Boolean);

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: 'variables',
      shouldPersistHeaders: false,
      plugins: plugins
    })
  );
})();
