#!/usr/bin/env bash
# Checks and times gradnode on the GPU machine, in one device call, over the
# kit that scripts/device/pack.sh made here (see there):
#
#   run(command="bash scripts/device/check.sh", carry=[".device"], timeout_s=600)
#   bash scripts/device/check.sh [info] [driver] [test] [bench] [e2e]   (default: all five)
#
# Steps (each logs to $OUT/<step>.log and may fail without stopping the rest):
#   info    nvidia-smi, the cuBLAS found, `node dist/run.js doctor`
#   driver  build-cuda/Release/gradnode_cuda_driver: every kernel against a CPU
#           reference, the allocator, gemm cuBLAS vs tiled (no Node)
#   test    the whole AVA suite with GRADNODE_REQUIRE_NATIVE=cpu,cuda,cuda-build
#           (the cuda parity suites may not skip)
#   bench   node bench/cuda.js: GEMM GFLOP/s and the dense-res epoch, cuda vs cpu
#   e2e     dense-res (manual, 30 epochs; autograd, 3 epochs) and equivariant-ae
#           (1 epoch) with --backend cuda on MNIST
# $OUT/results.tar.gz holds bench/README.md, bench/results/cuda.json and the
# run folders; the summary table is printed last. Exit status: the number of
# failed steps. Without $OUT (running it here, say) logs go to .device/out/.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
kit=.device
out=${OUT:-$root/$kit/out}
mkdir -p "$out"
# Every step ends by the deadline (CHECK_DEADLINE_S after the start, default
# 570: a device call is stopped at 600 s), so the summary always comes back;
# steps cut short or not run can follow in a second call (check.sh bench e2e).
deadline=$(( $(date +%s) + ${CHECK_DEADLINE_S:-570} ))
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(info driver test bench e2e)
for s in "${steps[@]}"; do
  case "$s" in info|driver|test|bench|e2e) ;; *) echo "check: unknown step '$s' (expected info, driver, test, bench or e2e)" >&2; exit 2 ;; esac
done

# ---- unpack (once per machine: a warm machine keeps it) ----------------------
for f in node.xz kit.tar.xz manifest.txt; do
  [ -s "$kit/$f" ] || { echo "check: $kit/$f is missing: run \`bash scripts/device/pack.sh\` here and carry .device" >&2; exit 2; }
done
bin=/tmp/gradnode-node/bin
unxz_to_stdout() {  # xz where installed, else Python's lzma (the GPU image's python3 has it)
  if command -v xz > /dev/null; then xz -dc "$1"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
if ! cmp -s "$kit/manifest.txt" "$bin/manifest.txt"; then
  start=$(date +%s)
  mkdir -p "$bin"
  unxz_to_stdout "$kit/node.xz" > "$bin/node" && chmod +x "$bin/node" && unxz_to_stdout "$kit/kit.tar.xz" | tar xf - \
    && cp "$kit/manifest.txt" "$bin/" \
    || { echo "check: unpacking the kit failed" >&2; exit 2; }
  echo "check: kit unpacked in $(( $(date +%s) - start )) s"
fi
export PATH="$bin:$PATH"
export LD_LIBRARY_PATH="$root/$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# cuBLAS: the GPU image ships it in PyTorch's environment (nvidia-cublas).
if [ -z "${GRADNODE_CUBLAS:-}" ]; then
  dir=$(python3 -c 'import nvidia.cublas as m; print(list(m.__path__)[0])' 2>/dev/null)
  for f in "$dir"/lib/libcublas.so.* $(find /opt /usr/local /usr/lib -name 'libcublas.so.*' 2>/dev/null); do
    [ -f "$f" ] && case "$f" in *libcublasLt*) ;; *) export GRADNODE_CUBLAS=$f; break ;; esac
  done
fi

# ---- steps -------------------------------------------------------------------
stamp=$(date -u +%Y%m%d-%H%M%S)
runs=runs/device/$stamp
summary=()
failed=0
export kit runs
step() {  # step NAME TIMEOUT_S 'shell command'
  local name=$1 limit=$2 command=$3 start rc left
  start=$(date +%s)
  left=$(( deadline - start ))
  if [ "$left" -lt 5 ]; then
    summary+=("$(printf '%-7s not run: the deadline passed' "$name")")
    failed=$((failed + 1))
    return 0
  fi
  [ "$left" -lt "$limit" ] && limit=$left
  echo "==== $name: $command"
  timeout -k 10 "$limit" bash -o pipefail -c "$command" > >(tee -a "$out/$name.log") 2>&1
  rc=$?
  summary+=("$(printf '%-7s rc %-3s %4s s' "$name" "$rc" "$(( $(date +%s) - start ))")")
  [ "$rc" -ne 0 ] && failed=$((failed + 1))
  return 0
}

for s in "${steps[@]}"; do
  case "$s" in
    info) step info 120 'cat "$kit/manifest.txt"
      nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
      echo "host: $(nproc) cores, $(uname -r); GRADNODE_CUBLAS=${GRADNODE_CUBLAS:-<none found>}"
      node dist/run.js doctor' ;;
    driver) step driver 300 'build-cuda/Release/gradnode_cuda_driver' ;;
    test) step test 480 'GRADNODE_REQUIRE_NATIVE=cpu,cuda,cuda-build node node_modules/ava/entrypoints/cli.mjs --concurrency 8' ;;
    bench) step bench 420 'node bench/cuda.js' ;;
    e2e) step e2e 480 'rc=0
      node dist/run.js dense-res --backend cuda --out "$runs/dense-res-manual" || rc=1
      node dist/run.js dense-res --backend cuda --impl autograd --epochs 3 --out "$runs/dense-res-autograd" || rc=1
      node dist/run.js equivariant-ae --backend cuda --epochs 1 --out "$runs/equivariant-ae" || rc=1
      exit $rc' ;;
  esac
done

files=()
for f in bench/README.md bench/results/cuda.json "$runs"; do [ -e "$f" ] && files+=("$f"); done
[ ${#files[@]} -gt 0 ] && tar czf "$out/results.tar.gz" "${files[@]}"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
echo "==== summary (${gpu:-no GPU}; logs in $out)"
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
exit "$failed"
