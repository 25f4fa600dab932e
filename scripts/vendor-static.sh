#!/bin/sh
# Copy Lumen's front-end files from npm packages into the repository and record their versions.
#
#   sh scripts/vendor-static.sh            # npm ci (exact versions from package-lock.json), then copy
#   sh scripts/vendor-static.sh --no-install   # copy from the node_modules/ already present
#
# To upgrade a package: edit its exact version in package.json, run `npm install`, then this script,
# and commit package.json, package-lock.json, static/vendor/ and tests/browser/vendor/.
# The site never loads anything from a CDN; these copies are what whitenoise serves.
set -eu

cd "$(dirname "$0")/.."

if [ "${1:-}" != "--no-install" ]; then
    npm ci --ignore-scripts --no-audit --no-fund
fi

version() {
    node -p "require('./node_modules/$1/package.json').version"
}

checksum() {
    sha256sum "$1" | cut -d' ' -f1
}

# The site: htmx, served from static/vendor/htmx/.
mkdir -p static/vendor/htmx
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
cp node_modules/htmx.org/LICENSE static/vendor/htmx/LICENSE

# The browser test harness only (never served): axe-core.
mkdir -p tests/browser/vendor
cp node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
cp node_modules/axe-core/LICENSE tests/browser/vendor/axe-core-LICENSE

HTMX_VERSION=$(version htmx.org)
AXE_VERSION=$(version axe-core)

cat > static/vendor/VERSIONS.md <<MD
# Vendored front-end files

Copied from npm by \`scripts/vendor-static.sh\` (exact versions pinned in \`package.json\` and
\`package-lock.json\`). Do not edit these files by hand; change the version and run the script.

| package | version | file | sha256 |
|---|---|---|---|
| htmx.org | $HTMX_VERSION | static/vendor/htmx/htmx.min.js | $(checksum static/vendor/htmx/htmx.min.js) |
| axe-core (tests only) | $AXE_VERSION | tests/browser/vendor/axe.min.js | $(checksum tests/browser/vendor/axe.min.js) |
MD

echo "vendored htmx.org $HTMX_VERSION and axe-core $AXE_VERSION"
