#!/usr/bin/env bash
# Packs what the GPU machine needs to run gradnode, for the device tool's
# `carry` (64 MiB in all, with the working tree): the GPU machine has no node,
# no npm registry and no OpenBLAS. Run here after `bash setup.sh` (it rebuilds
# the addons and dist/ first, so the kit matches the working tree):
#
#   bash scripts/device/pack.sh
#
# It writes .device/ (git-ignored):
#   node.xz      this machine's node binary, xz-compressed
#   kit.tar.xz   dist/, both addons and the CUDA driver, the node_modules that
#                the library, the CLI's plots and MNIST, and the tests (ava,
#                ts-node, typescript) need, and OpenBLAS's shared libraries
#                (unpacked there under .device/lib)
#   manifest.txt what was packed, from which commit
#
# Then, with the device tool: run(command="bash scripts/device/check.sh",
# carry=[".device"]). scripts/device/check.sh says what it runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.device
limit_mib=64

# The kit must match the working tree: rebuild what changed (each is incremental).
npm run --silent build:addon
npm run --silent build:cuda
npm run --silent build:ts
for f in dist/index.js build/Release/gradnode_cpu.node build-cuda/Release/gradnode_cuda.node build-cuda/Release/gradnode_cuda_driver; do
  if [ ! -e "$f" ]; then
    echo "pack: $f is missing: run \`bash setup.sh\` first (the CUDA parts need nvcc)" >&2
    exit 2
  fi
done

mkdir -p "$kit/lib"
rm -f "$kit"/lib/*

# OpenBLAS and what it links (gfortran, quadmath): the cpu addon's only
# libraries beyond glibc and libstdc++.
ldd build/Release/gradnode_cpu.node | awk '/=> \// {print $1, $3}' | while read -r name file; do
  case "$name" in
    libopenblas*|libgfortran*|libquadmath*|libblas*|liblapack*) cp -L "$file" "$kit/lib/$name" ;;
  esac
done

node_bin=$(command -v node)
if [ ! -s "$kit/node.xz" ] || [ "$node_bin" -nt "$kit/node.xz" ]; then
  echo "pack: compressing $node_bin ($(node --version))"
  xz -T2 -6 -c "$node_bin" > "$kit/node.xz.tmp" && mv "$kit/node.xz.tmp" "$kit/node.xz"
fi

# Run-time dependencies (package.json's, but node-addon-api, which only builds)
# and the test runner's.
roots=$(node -p "Object.keys(require('./package.json').dependencies).filter((n) => n !== 'node-addon-api').join(' ')")
mapfile -t modules < <(node scripts/device/closure.js $roots ava ts-node typescript)
echo "pack: ${#modules[@]} node_modules folders"
tar cf - dist build/Release/gradnode_cpu.node build-cuda/Release/gradnode_cuda.node \
  build-cuda/Release/gradnode_cuda_driver "$kit/lib" "${modules[@]}" | xz -T2 -6 > "$kit/kit.tar.xz.tmp"
mv "$kit/kit.tar.xz.tmp" "$kit/kit.tar.xz"
rm -f "$kit"/lib/*

# What travels: the tracked and untracked-but-not-ignored files, and .device.
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
kit_bytes=$(cat "$kit/node.xz" "$kit/kit.tar.xz" | wc -c)
total_mib=$(( (tree_bytes + kit_bytes) / 1048576 ))
{
  echo "commit $(git rev-parse HEAD)$( [ -n "$(git status --porcelain)" ] && echo ' (with uncommitted changes)')"
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m), $(node --version)"
  echo "node.xz $(wc -c < "$kit/node.xz") bytes, kit.tar.xz $(wc -c < "$kit/kit.tar.xz") bytes"
} > "$kit/manifest.txt"
cat "$kit/manifest.txt"
echo "pack: working tree $(( tree_bytes / 1048576 )) MiB + .device $(( kit_bytes / 1048576 )) MiB = $total_mib MiB of the ${limit_mib} MiB a device call carries"
if [ "$total_mib" -ge "$limit_mib" ]; then
  echo "pack: too large for one device call" >&2
  exit 1
fi
