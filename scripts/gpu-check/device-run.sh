#!/usr/bin/env bash
# One run of the GPU check on a GPU machine, with the pack made by pack.sh (default .gpu-pack/): what the
# adapter is, `fast` for 3 epochs at the GPU default batch with a per-kernel profile, TF.js's stock kernels
# for comparison, other batch sizes, fewer queue submissions, and `seed`. Each step has its own time limit; logs go to
# $OUT/gpu-check/ (or ./gpu-check-out/), and the RESULT lines are repeated at the end.
#   bash scripts/gpu-check/device-run.sh        env: PACK, OUT, STEP_TIMEOUT (s, default 240), TRAIN_ARGS
# TRAIN_ARGS (e.g. "--preset fast --epochs 12 --augment --name fast-aug") also trains a model into
# $OUT/gpu-check/home/models with `digit-lab train`.
set -uo pipefail
cd "$(dirname "$0")/../.."
pack=${PACK:-.gpu-pack}
out=${OUT:-$PWD/gpu-check-out}/gpu-check
mkdir -p "$out"

step() {
  local name=$1
  shift
  echo "=== $name: $* ($(date -u +%T))"
  timeout "${STEP_TIMEOUT:-240}" bash "$pack/run.sh" "$@" > "$out/$name.log" 2>&1
  local status=$?
  grep -av '^Warning: maxDynamic' "$out/$name.log"
  echo "=== $name: exit $status"
  return 0
}

step doctor doctor
step fast check --require-gpu --epochs 3 --profile 5
if ! grep -q '^RESULT' "$out/fast.log"; then
  echo "=== no GPU result: the other steps are skipped (see doctor.log and fast.log)"
  exit 1
fi
step stock-kernels check --require-gpu --stock-kernels --profile 5
step batch-128 check --require-gpu --batch-size 128
step batch-1024 check --require-gpu --batch-size 1024
step submit-64 check --require-gpu --tf-flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64
step seed check --require-gpu --preset seed
if [ -n "${TRAIN_ARGS:-}" ]; then
  # shellcheck disable=SC2086 # TRAIN_ARGS is a list of arguments
  DIGIT_LAB_HOME="$out/home" STEP_TIMEOUT=${TRAIN_TIMEOUT:-300} step train train $TRAIN_ARGS
fi
echo "=== results"
grep -ah '^RESULT' "$out"/*.log
