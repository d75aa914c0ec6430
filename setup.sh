#!/usr/bin/env bash
# Takes a fresh machine to ready: Debian packages (OpenBLAS, Fashion-MNIST),
# npm dependencies, the native addons (CPU; CUDA only where a CUDA driver is
# present) and the TypeScript build. The host-only CUDA emulator, which only
# the tests use, is built by `npm test` the first time it runs.
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
# The CUDA addon where nvcc and a CUDA driver are both present (one line and
# nothing else otherwise; `npm run build:cuda` builds it without a driver).
node scripts/build-cuda.js --strict --if-driver
npm run --silent build:ts
echo "setup: ready. Try: node dist/run.js --help"
