#!/usr/bin/env bash
# Re-vendor the offline GraphiQL playground into assets/graphiql/.
#
# Fetches pinned npm tarballs (npm registry only, no CDN) into a temp dir and
# copies just the prebuilt UMD/minified files the page needs. Not run by CI;
# run manually when upgrading, then re-check assets/graphiql/index.html in a
# browser. To upgrade, bump the versions below.
#
#   graphiql 4.x is the last major that ships a UMD build (graphiql.min.js);
#   graphiql 5 dropped it. React 18 is the last major that ships UMD builds.
#   The graphiql UMD bundle includes graphql-js, codemirror and the inlined
#   (data: URI) fonts; it only expects window.React and window.ReactDOM.
set -euo pipefail

GRAPHIQL_VERSION=4.1.2
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1
# 4.0.6 is the explorer plugin built against @graphiql/react 0.34, the version graphiql 4.1.2 bundles (its
# UMD build expects window.GraphiQL.React and window.GraphiQL.GraphQL, which graphiql.min.js provides);
# plugin-explorer 5 needs graphiql 5. graphiql-explorer (OneGraph, MIT) is bundled inside its UMD build.
PLUGIN_EXPLORER_VERSION=4.0.6
GRAPHIQL_EXPLORER_VERSION=0.9.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="$repo_root/assets/graphiql"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
for spec in "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_DOM_VERSION" \
  "@graphiql/plugin-explorer@$PLUGIN_EXPLORER_VERSION" "graphiql-explorer@$GRAPHIQL_EXPLORER_VERSION"; do
  name="${spec%@*}"
  name="${name#@graphiql/}"
  tarball="$(npm pack --silent "$spec")"
  mkdir -p "$name"
  tar -xzf "$tarball" -C "$name" --strip-components=1
done

mkdir -p "$dest"
install -m 0644 graphiql/graphiql.min.js                           "$dest/graphiql.min.js"
install -m 0644 graphiql/graphiql.min.css                          "$dest/graphiql.min.css"
install -m 0644 graphiql/LICENSE                                   "$dest/LICENSE.graphiql"
install -m 0644 react/umd/react.production.min.js                  "$dest/react.production.min.js"
install -m 0644 react/LICENSE                                      "$dest/LICENSE.react"
install -m 0644 react-dom/umd/react-dom.production.min.js          "$dest/react-dom.production.min.js"
install -m 0644 react-dom/LICENSE                                  "$dest/LICENSE.react-dom"
install -m 0644 plugin-explorer/dist/index.umd.js                  "$dest/plugin-explorer.umd.js"
install -m 0644 plugin-explorer/dist/style.css                     "$dest/plugin-explorer.css"
# The plugin's tarball has no LICENSE file; it is graphiql's (same repository, MIT). The explorer it bundles:
install -m 0644 graphiql-explorer/LICENSE                          "$dest/LICENSE.graphiql-explorer"

# The bundles end with a sourceMappingURL comment; we don't ship the maps, so
# strip it to avoid a 404 whenever devtools is open.
sed -i -e '/^\/\/# sourceMappingURL=/d' "$dest"/*.js
sed -i -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dest/graphiql.min.css" "$dest/plugin-explorer.css"

echo "Vendored graphiql@$GRAPHIQL_VERSION react@$REACT_VERSION react-dom@$REACT_DOM_VERSION" \
  "@graphiql/plugin-explorer@$PLUGIN_EXPLORER_VERSION (with graphiql-explorer@$GRAPHIQL_EXPLORER_VERSION) into $dest:"
ls -l "$dest"
