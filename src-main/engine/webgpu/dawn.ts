// WebGPU in Node: Google's Dawn (npm `webgpu`, a prebuilt `dawn.node` per platform that loads the
// system's Vulkan / Metal / D3D12 at run time) exposed as navigator.gpu, then TF.js's webgpu backend.
// A software adapter (Mesa lavapipe, SwiftShader) is used only when forced: it is slower than the
// CPU paths.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface WebGpuAdapter {
  /** e.g. "NVIDIA H200" or "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)". */
  name: string;
  /** A CPU implementation of the API (lavapipe, SwiftShader, WARP): correct but slow. */
  software: boolean;
}

/**
 * Dawn's GPU object. It must stay referenced for the life of the process: once it is collected,
 * the next GPU call crashes the process.
 */
let gpu: GPU | null = null;
let adapter: WebGpuAdapter | null = null;

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|\bwarp\b/i;

/** Create Dawn's instance and put it at navigator.gpu (where TF.js looks when it is imported). */
async function dawn(): Promise<GPU> {
  if (gpu) return gpu;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, … which the backend reads as globals
  const instance = create([]);
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: GPU };
  Object.defineProperty(nav, 'gpu', { value: instance, configurable: true, writable: true });
  gpu = instance;
  return instance;
}

/**
 * Linux: the device files a GPU's Vulkan driver opens (Mesa's render nodes, NVIDIA's driver). Without
 * any, only a software adapter could exist, and looking for one costs Dawn's driver-search warnings on
 * stderr in every command. Elsewhere (Metal, D3D12): always worth asking.
 */
export function gpuDeviceFiles(): string[] | null {
  if (process.platform !== 'linux') return null;
  const list = (dir: string, pattern: RegExp) => {
    try {
      return fs.readdirSync(dir).filter((f) => pattern.test(f)).map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  };
  return [...list('/dev/dri', /^renderD\d+$/), ...list('/dev', /^(nvidia\d+|dxg)$/)]; // dxg: WSL2's GPU
}

/**
 * The adapter TF.js will use (high-performance preference), or an error saying why there is none.
 * Unless `anyAdapter`, a Linux machine without a GPU device file is not asked.
 */
export async function findAdapter(anyAdapter = true): Promise<WebGpuAdapter> {
  if (!anyAdapter && gpuDeviceFiles()?.length === 0) {
    throw new Error('no GPU device found (/dev/dri/renderD*, /dev/nvidia*); a software adapter only with --backend webgpu');
  }
  if (adapter) return adapter;
  const found = await (await dawn()).requestAdapter({ powerPreference: 'high-performance' });
  if (!found) throw new Error('no WebGPU adapter (no Vulkan driver found: install mesa-vulkan-drivers or the GPU vendor’s driver)');
  const info = found.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const name = (info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter').trim();
  adapter = { name, software: Boolean(info.isFallbackAdapter) || info.architecture === 'software' || SOFTWARE.test(name) };
  return adapter;
}

/**
 * Switch TF.js to WebGPU. Without `allowSoftware`, a software adapter is refused with the reason.
 * Registers Digit Lab's own WebGPU kernels over the stock ones.
 */
export async function useWebGpu(allowSoftware: boolean): Promise<WebGpuAdapter> {
  const found = await findAdapter(allowSoftware);
  if (found.software && !allowSoftware) {
    throw new Error(`only a software adapter (${found.name}): slower than the CPU; force it with --backend webgpu`);
  }
  await import('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu' now that navigator.gpu exists
  if (!tf.findBackendFactory('webgpu')) throw new Error('the TF.js webgpu backend did not register');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the TF.js webgpu backend failed to initialise');
  const { registerWebGpuKernels } = await import('./kernels.js');
  registerWebGpuKernels();
  return found;
}
