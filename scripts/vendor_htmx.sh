#!/usr/bin/env bash
# Re-downloads htmx from the npm registry (`npm pack`, no CDN) into modelry/admin/static/,
# with its licence (0BSD) as LICENSE.htmx, and rewrites VERSIONS there (size and sha256,
# checked by tests/admin). To upgrade: change the pin, run this, then run tests/admin.
set -euo pipefail

HTMX=1.9.12   # the 1.x line: hx-* attributes as the admin's templates use them

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/modelry/admin/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "htmx.org@$HTMX" >/dev/null && tar -xzf ./*.tgz)
cp "$work/package/dist/htmx.min.js" "$target/htmx.min.js"
cp "$work/package/LICENSE" "$target/LICENSE.htmx"
{
  echo "# The admin's vendored npm package: package@version, file, bytes, sha256 (licence 0BSD,"
  echo "# its LICENSE copied to LICENSE.htmx). Written by scripts/vendor_htmx.sh: change its pin, run it."
  printf 'htmx.org@%s htmx.min.js %s %s\n' "$HTMX" "$(wc -c <"$target/htmx.min.js")" \
    "$(sha256sum "$target/htmx.min.js" | cut -d' ' -f1)"
} >"$target/VERSIONS"
cat "$target/VERSIONS"
