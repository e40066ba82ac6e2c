#!/usr/bin/env bash
# One run of the GPU check on a GPU machine, with the pack made by pack.sh (default .gpu-pack/): what the
# adapter is, `fast` for 3 epochs at the GPU default batch with a per-kernel profile, TF.js's stock kernels
# for comparison, other batch sizes, fewer queue submissions, and `seed`. Each step has its own time limit and
# all of them a budget; logs go to $OUT/gpu-check/ (or ./gpu-check-out/); the RESULT lines are repeated at the end.
#   bash scripts/gpu-check/device-run.sh        env: PACK, OUT, BUDGET (s for all steps, default 500), TRAIN_ARGS
# TRAIN_ARGS (e.g. "--preset fast --epochs 12 --augment --name fast-aug") also trains a model into
# $OUT/gpu-check/home/models with `digit-lab train`.
set -uo pipefail
cd "$(dirname "$0")/../.."
pack=${PACK:-.gpu-pack}
out=${OUT:-$PWD/gpu-check-out}/gpu-check
mkdir -p "$out"

budget=${BUDGET:-500} # seconds for all steps: a step that would start later is skipped

step() {
  local name=$1 limit=$2
  shift 2
  if [ $((SECONDS + 20)) -gt "$budget" ]; then
    echo "=== $name: skipped (${SECONDS} s of the ${budget} s budget used)"
    return 0
  fi
  [ $((SECONDS + limit)) -gt "$budget" ] && limit=$((budget - SECONDS))
  echo "=== $name: $* ($(date -u +%T), limit ${limit} s)"
  timeout "$limit" bash "$pack/run.sh" "$@" > "$out/$name.log" 2>&1
  local status=$?
  grep -av '^Warning: maxDynamic' "$out/$name.log"
  echo "=== $name: exit $status"
  return 0
}

step doctor 60 doctor
step fast 180 check --require-gpu --epochs 3 --profile 5
if ! grep -q '^RESULT' "$out/fast.log"; then
  # auto did not choose WebGPU (see the skipped backends in fast.log): measure with it forced all the same
  export DIGIT_LAB_BACKEND=webgpu
  step fast-forced 180 check --require-gpu --epochs 3 --profile 5
  if ! grep -q '^RESULT' "$out/fast-forced.log"; then
    echo "=== no GPU result: the other steps are skipped (see doctor.log, fast.log and fast-forced.log)"
    exit 1
  fi
fi
if [ -n "${TRAIN_ARGS:-}" ]; then
  # shellcheck disable=SC2086 # TRAIN_ARGS is a list of arguments
  DIGIT_LAB_HOME="$out/home" step train "${TRAIN_TIMEOUT:-240}" train $TRAIN_ARGS
fi
step stock-kernels 100 check --require-gpu --stock-kernels --profile 5
step batch-128 100 check --require-gpu --batch-size 128
step batch-1024 100 check --require-gpu --batch-size 1024
step submit-64 100 check --require-gpu --tf-flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64
step seed 120 check --require-gpu --preset seed
echo "=== results"
grep -ah '^RESULT' "$out"/*.log
