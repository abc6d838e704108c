#!/usr/bin/env bash
# Executes every notebook of examples/notebooks headless with Debian's jupyter-nbconvert and the
# repository's tslab kernel; exits non-zero if any cell of any notebook fails (a thrown error, a
# rejected promise or a TypeScript type error).
#
#   scripts/run-notebooks.sh                      # all notebooks
#   scripts/run-notebooks.sh examples/notebooks/des-queueing.ipynb
#   NOTEBOOK_OUTPUT_DIR=out scripts/run-notebooks.sh   # keep the executed copies (with outputs)
#
# What it needs, and installs when absent:
# - Debian's jupyter-nbconvert (apt-get, without recommended packages: it brings jupyter-client and
#   nbclient, which is all that executing a notebook on a non-Python kernel needs);
# - the workspace packages built (dist/): tslab loads them through their `require` export
#   condition, so the script runs `npm run build` when a dist/ is missing or older than its sources;
# - the tslab kernelspec: written to a private Jupyter data directory (JUPYTER_PATH) and pointing at
#   this repository's node_modules/.bin/tslab, so no other registered kernel or global tslab is used.
# tslab itself comes with `npm ci` (a dev dependency of examples/); the script does not install npm
# packages.
#
# Works as root without a terminal (CI=true, no stdin); as another user it needs sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
fail() {
  printf 'run-notebooks: %s\n' "$*" >&2
  exit 1
}

# Debian's Jupyter lives in /usr/bin with /usr/bin/python3; call it by path so that a pyenv, conda
# or virtualenv `jupyter` earlier on PATH cannot take its place.
JUPYTER=/usr/bin/jupyter
if [ ! -x /usr/bin/jupyter-nbconvert ]; then
  step "installing Debian's jupyter-nbconvert (apt-get, no recommended packages)"
  command -v apt-get >/dev/null 2>&1 || fail "jupyter-nbconvert is missing and apt-get is not available. Install Jupyter's nbconvert and run again."
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "jupyter-nbconvert is missing and installing it needs root. Run as root or: sudo apt-get install jupyter-nbconvert"
    SUDO=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends jupyter-nbconvert >/dev/null
fi
[ -x "$JUPYTER" ] || fail "$JUPYTER is missing although jupyter-nbconvert is installed (package jupyter-core)."
step "jupyter-nbconvert $("$JUPYTER" nbconvert --version), node $(node --version)"

TSLAB="$ROOT/node_modules/.bin/tslab"
[ -x "$TSLAB" ] || fail "$TSLAB is missing. Run npm ci (tslab is a dev dependency of examples/)."
step "tslab $("$TSLAB" --version | sed 's/^tslab //')"

# tslab compiles each cell to CommonJS and resolves @twinkit/* like Node's require: through the
# packages' `require` export condition to dist/index.cjs (types from dist/index.d.ts).
stale=()
for package in packages/*/; do
  [ -f "$package/package.json" ] || continue
  dist="$package/dist/index.cjs"
  if [ ! -f "$dist" ] || [ -n "$(find "$package/src" -name '*.ts' ! -name '*.test.ts' -newer "$dist" -print -quit)" ]; then
    stale+=("${package%/}")
  fi
done
if [ "${#stale[@]}" -gt 0 ]; then
  step "building the packages (dist missing or older than the sources: ${stale[*]})"
  npm run -s build >/dev/null
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
KERNEL_DIR="$WORK/jupyter/kernels/tslab"
mkdir -p "$KERNEL_DIR"
# The kernelspec `tslab install` writes, with this repository's tslab as the command.
printf '{"argv": ["%s", "kernel", "--config-path", "{connection_file}"], "display_name": "TypeScript", "language": "typescript"}\n' \
  "$TSLAB" >"$KERNEL_DIR/kernel.json"
export JUPYTER_PATH="$WORK/jupyter"
step "tslab kernelspec: $KERNEL_DIR/kernel.json (JUPYTER_PATH=$JUPYTER_PATH)"

OUT="${NOTEBOOK_OUTPUT_DIR:-$WORK/executed}"
mkdir -p "$OUT"
if [ "$#" -gt 0 ]; then
  notebooks=("$@")
else
  notebooks=(examples/notebooks/*.ipynb)
fi
[ -f "${notebooks[0]}" ] || fail "no notebooks found (${notebooks[*]})."

failed=()
for notebook in "${notebooks[@]}"; do
  step "executing $notebook"
  start=$(date +%s%3N)
  # The kernel starts in the notebook's folder, so notebooks read data/ and import ./chart there.
  if "$JUPYTER" nbconvert --to notebook --execute \
    --ExecutePreprocessor.kernel_name=tslab \
    --ExecutePreprocessor.timeout=600 \
    --output-dir "$OUT" "$notebook" </dev/null; then
    awk -v ms="$(($(date +%s%3N) - start))" 'BEGIN { printf "    ok in %.1f s\n", ms / 1000 }'
  else
    failed+=("$notebook")
    # tslab sends the error text as the cell's stderr, which nbconvert's message above leaves out:
    # run the notebook again letting errors pass, and print what its cells wrote to stderr.
    printf '    FAILED; the stderr of its cells (tslab reports errors there):\n' >&2
    "$JUPYTER" nbconvert --to notebook --execute --allow-errors \
      --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=600 \
      --output-dir "$WORK/diagnosis" "$notebook" </dev/null >/dev/null 2>&1 || true
    /usr/bin/python3 - "$WORK/diagnosis/$(basename "$notebook")" <<'PY' >&2 || true
import json, sys
cells = json.load(open(sys.argv[1]))['cells']
for index, cell in enumerate(cells):
    for output in cell.get('outputs', []):
        if output.get('name') == 'stderr':
            text = ''.join(output['text'])
            print(f'    --- cell {index + 1}:')
            print('\n'.join('    ' + line for line in text.rstrip().splitlines()))
PY
  fi
done

if [ -n "${NOTEBOOK_OUTPUT_DIR:-}" ]; then step "executed notebooks (with outputs) in $OUT"; fi
if [ "${#failed[@]}" -gt 0 ]; then
  fail "${#failed[@]} of ${#notebooks[@]} notebooks failed: ${failed[*]}"
fi
step "all ${#notebooks[@]} notebooks ran without errors"
