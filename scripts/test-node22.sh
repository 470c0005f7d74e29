#!/usr/bin/env bash
# Runs the test suite a second time under Node 22 (`npm test` calls it after the run on the current Node).
# Node 22 comes from the npm registry: the node-<platform>-<arch> package (what `npx -p node@22` installs)
# holds the official binary and its headers. It is fetched once per run into a temp dir removed at the end,
# and the suite runs in a copy of the project there, so this project's node_modules stay as they are.
# Nothing here is needed to run Winnow. Does nothing when the current Node is already 22.
set -euo pipefail

NODE22_VERSION=22.23.3
root=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(node -p 'process.versions.node.split(".")[0]')" = 22 ]; then
  echo "test-node22: already on Node $(node --version); no second run"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/winnow-node22.XXXXXX")
trap 'rm -rf "$work"' EXIT

package="node-$(node -p 'process.platform + "-" + process.arch')@$NODE22_VERSION"
echo "test-node22: fetching $package"
(cd "$work" && npm pack --silent "$package" >/dev/null)
mkdir "$work/node"
tar -xzf "$work"/node-*.tgz -C "$work/node" --strip-components=1
rm "$work"/node-*.tgz

# The working tree as it is (uncommitted changes included), without anything built or installed.
mkdir "$work/winnow"
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./test-artifacts --exclude=./.git -cf - . |
  tar -C "$work/winnow" -xf -

export PATH="$work/node/bin:$PATH"
# better-sqlite3 has no prebuilt binary it can reach here, so node-gyp compiles it; it must use Node 22's
# headers from the package (it cannot download them), not the nodedir a user config may set for Node 20.
export npm_config_nodedir="$work/node"
cd "$work/winnow"
echo "test-node22: npm ci and vitest on Node $(node --version)"
npm ci
# `npm ci` has just built dist/ (the prepare script), so the suite's global setup need not build it again.
# The three-worker scale test at 2,000 objects, as `npm test` runs it (20,000: `npm run test:scale`).
WINNOW_TEST_SCALE_OBJECTS=${WINNOW_TEST_SCALE_OBJECTS:-2000} WINNOW_TEST_SKIP_BUILD=1 npx vitest run
