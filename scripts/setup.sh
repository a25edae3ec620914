#!/usr/bin/env bash
# Installs what xling needs on Debian/Ubuntu and builds it: Debian packages (when
# missing), npm packages (when the lock file changed), the native addon (when its
# sources changed) and the TypeScript. Safe to run again: it skips what is done.
#
#   scripts/setup.sh           what the CLI needs
#   scripts/setup.sh --tests   also what the test suite needs (python3-torch for the
#                              PyTorch parity test, python3-nltk for the BLEU/chrF
#                              reference, SentencePiece's command-line tools,
#                              zstd and xz for the compressed-reader fixtures,
#                              Chromium for the report test, three Debian Reference
#                              translations for the transfer-study test, FreeDict
#                              English-Spanish for the dictionary-pairs test)
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_pkgs=(libtorch-dev libgloo-dev libopenblas0-pthread libsentencepiece-dev g++ make python3 iso-codes)
test_pkgs=(python3-torch python3-nltk sentencepiece chromium zstd xz-utils debian-reference-en debian-reference-de debian-reference-fr dict-freedict-eng-spa)
pkgs=("${runtime_pkgs[@]}")
[[ "${1:-}" == "--tests" ]] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "xling setup: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "xling setup: run as root: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "xling setup: Node.js 20 or newer is required (found $(node --version))" >&2; exit 1
fi

stamp() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

mkdir -p build
lock_stamp=$(stamp package.json package-lock.json)
if [[ ! -d node_modules || "$(cat build/.npm-stamp 2>/dev/null)" != "$lock_stamp" ]]; then
  echo "xling setup: installing npm packages"
  # The addon is built below, once, rather than by npm's install hook.
  npm ci --include=dev --ignore-scripts --no-audit --no-fund --loglevel=error
  # better-sqlite3 (the results store) compiles SQLite from its own sources here.
  npm rebuild better-sqlite3 --loglevel=error >/dev/null
  echo "$lock_stamp" > build/.npm-stamp
fi

native_stamp=$(stamp binding.gyp native/*.mjs native/src/* <<<"${XLING_LIBTORCH:-}")
if [[ ! -f build/Release/xling.node || "$(cat build/.native-stamp 2>/dev/null)" != "$native_stamp" ]]; then
  echo "xling setup: building the native addon (libtorch + SentencePiece; a minute or two)"
  node native/gen-ops.mjs
  npx node-gyp rebuild -j 2 --loglevel=error >build/native-build.log 2>&1 || {
    tail -n 40 build/native-build.log >&2
    echo "xling setup: the native build failed; full log in build/native-build.log" >&2
    exit 1
  }
  echo "$native_stamp" > build/.native-stamp
fi

node native/gen-ops.mjs >/dev/null
npx tsc -p tsconfig.json
echo "xling setup: ready"
