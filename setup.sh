#!/usr/bin/env bash
# Takes a fresh machine to ready: Debian packages (OpenBLAS, Fashion-MNIST),
# npm dependencies, the native addons (CPU; CUDA where nvcc is installed; the
# CUDA addon for the host-only emulator) and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")"

packages=(libopenblas-dev dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present (${packages[*]})"
fi

# Dependencies without their install scripts: the addon is built next, strictly.
npm ci --ignore-scripts --no-fund --no-audit --loglevel=error
npm run --silent build:addon
# The CUDA addon where nvcc is installed (one line and nothing else without it).
npm run --silent build:cuda
# The same CUDA sources for the host-only CUDA emulator (g++ only), which
# `npm test` runs the cuda suites on (native/cuda/emu/README.md). A test tool:
# a failed build is one line here, and `npm test` then says what is missing.
node scripts/build-cuda.js --emulator
npm run --silent build:ts
echo "setup: ready. Try: node dist/run.js --help"
