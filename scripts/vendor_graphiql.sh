#!/usr/bin/env bash
# Re-downloads the GraphiQL console's browser assets from the npm registry (`npm pack`, no
# CDN) into modelry/core/graphql/http/static/graphiql/, each package's licence next to its files,
# and rewrites VERSIONS there (sizes and sha256, checked by tests/browser).
# To upgrade: change a pin below, run this script, then `./dev test tests/browser -n 0`.
set -euo pipefail

GRAPHIQL=3.9.0          # the last 3.x: a minified UMD build (3.8.x ships an unminified one)
PLUGIN_EXPLORER=3.2.6   # its @graphiql/react peer (^0.29) is the one graphiql 3.9.0 bundles
GRAPHIQL_EXPLORER=0.9.0 # bundled inside the plugin's UMD build: its licence only
REACT=18.3.1            # React 19 ships no UMD builds; GraphiQL 3 takes React 16.8 to 18

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/modelry/core/graphql/http/static/graphiql"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack NAME@VERSION: prints the folder holding the package's files
  local folder="$work/${1//\//_}"
  mkdir -p "$folder"
  (cd "$folder" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz)
  echo "$folder/package"
}

place() {  # place SUBFOLDER FILE...: copies the files into target/SUBFOLDER
  local folder="$target/$1"
  shift
  rm -rf "$folder" && mkdir -p "$folder"
  cp "$@" "$folder/"
}

react="$(unpack "react@$REACT")"
react_dom="$(unpack "react-dom@$REACT")"
graphiql="$(unpack "graphiql@$GRAPHIQL")"
explorer="$(unpack "@graphiql/plugin-explorer@$PLUGIN_EXPLORER")"
graphiql_explorer="$(unpack "graphiql-explorer@$GRAPHIQL_EXPLORER")"

place react "$react/umd/react.production.min.js" "$react/LICENSE"
place react-dom "$react_dom/umd/react-dom.production.min.js" "$react_dom/LICENSE"
place graphiql "$graphiql/graphiql.min.js" "$graphiql/graphiql.min.css" "$graphiql/LICENSE"
# The plugin's tarball has no LICENSE file: it is MIT (its package.json) and lives in the
# graphiql monorepo, whose LICENSE graphiql's tarball carries.
place plugin-explorer "$explorer/dist/index.umd.js" "$explorer/dist/style.css" \
  "$graphiql/LICENSE"
cp "$graphiql_explorer/LICENSE" "$target/plugin-explorer/LICENSE.graphiql-explorer"

{
  echo "# The GraphiQL console's vendored npm packages: package@version, file, bytes, sha256."
  echo "# Written by scripts/vendor_graphiql.sh: to refresh or upgrade, change its pins, run it."
  for pair in "react@$REACT react" "react-dom@$REACT react-dom" "graphiql@$GRAPHIQL graphiql" \
      "@graphiql/plugin-explorer@$PLUGIN_EXPLORER plugin-explorer"; do
    set -- $pair
    for file in "$target/$2"/*; do
      printf '%s %s %s %s\n' "$1" "${file#"$target"/}" "$(wc -c <"$file")" \
        "$(sha256sum "$file" | cut -d' ' -f1)"
    done
  done
} >"$target/VERSIONS"
cat "$target/VERSIONS"
