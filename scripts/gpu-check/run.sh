#!/usr/bin/env bash
# Digit Lab on a bare linux-x64 GPU box (no network, no Node, no root): unpacks this folder's Node, dawn.node
# and Vulkan loader once, then runs
#   run.sh [check] [--backend B] [--epochs N] [--batch-size N] [--lr R] [--train-size N] [--profile STEPS]
#                  [--stock-kernels] [--tf-flag NAME=VALUE]
#       one epoch of `fast` (default), evaluation; prints the adapter, img/s, epoch time and accuracy
#   run.sh doctor        what the Vulkan loader and Dawn see
#   run.sh <digit-lab command ...>   e.g. run.sh train --preset fast --epochs 12 --augment --name X
# Env: DIGIT_LAB_HOME (models; default ./home here), DIGIT_LAB_DATA (default ./mnist here), VK_DRIVER_FILES (default: NVIDIA's ICD when found),
#      DIGIT_LAB_GPU_RUNTIME (where to unpack; default ./.runtime here).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "run.sh: this pack is for Linux x86_64, not $(uname -s)-$(uname -m)" >&2; exit 1; }
rt=${DIGIT_LAB_GPU_RUNTIME:-$here/.runtime}
id=$(cat "$here/PACK_ID")

if [ "$(cat "$rt/PACK_ID" 2>/dev/null || true)" != "$id" ]; then
  echo "run.sh: unpacking into $rt" >&2
  rm -rf "$rt"
  mkdir -p "$rt/sys"
  gzip -dc "$here/node.gz" > "$rt/node"
  chmod +x "$rt/node"
  cp -R "$here/app" "$rt/app"
  gzip -d "$rt/app"/*.js.gz
  mkdir -p "$rt/app/node_modules/webgpu/dist/linux-x64"
  gzip -dc "$here/dawn.node.gz" > "$rt/app/node_modules/webgpu/dist/linux-x64/dawn.node"
  for deb in "$here"/debs/*.deb; do
    if command -v dpkg >/dev/null 2>&1; then
      dpkg -x "$deb" "$rt/sys"
    else
      (cd "$rt/sys" && ar p "$deb" data.tar.xz | tar -xJ)
    fi
  done
  echo "$id" > "$rt/PACK_ID"
fi

# Our Vulkan loader and libGLdispatch first; then the NVIDIA driver's folders where the image has them.
libs="$rt/sys/usr/lib/x86_64-linux-gnu"
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && libs="$libs:$d"; done
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
  done
fi
export DIGIT_LAB_DATA="${DIGIT_LAB_DATA:-$here/mnist}"
export DIGIT_LAB_HOME="${DIGIT_LAB_HOME:-$here/home}"
mkdir -p "$DIGIT_LAB_HOME"

node="$rt/node"
app="$rt/app"
echo "run.sh: node $("$node" -p process.version) · VK_DRIVER_FILES=${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-(loader default)}} · DIGIT_LAB_HOME=$DIGIT_LAB_HOME" >&2

case "${1:-check}" in
  check)
    [ $# -gt 0 ] && shift
    exec "$node" "$app/check.js" "$@"
    ;;
  doctor)
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    for f in ${VK_DRIVER_FILES:-} ${VK_ICD_FILENAMES:-}; do echo "--- $f"; cat "${f//:/ }" || true; done
    ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null || true
    command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || echo "no nvidia-smi"
    ls -l /dev/dri /dev/nvidia* /dev/dxg 2>&1 || true
    command -v ldd >/dev/null 2>&1 && ldd "$app/node_modules/webgpu/dist/linux-x64/dawn.node" || true
    cd "$app" && exec "$node" --input-type=module -e "
      const { create, globals } = await import('webgpu');
      Object.assign(globalThis, globals);
      const gpu = create([]);
      const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      console.log(a ? { ...Object.fromEntries(['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'].map((k) => [k, a.info[k]])) } : 'no WebGPU adapter');
      process.exit(0);"
    ;;
  *)
    exec "$node" "$app/cli.js" "$@"
    ;;
esac
