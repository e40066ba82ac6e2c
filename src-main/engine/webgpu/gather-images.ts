// A batch of MNIST images gathered on the GPU from the training set kept there as bytes, converted to
// 0-1 floats and, when augmenting, warped there too (the same affine map and bilinear sampling as
// data/augment.ts, with the transform parameters drawn on the CPU from the same random stream).
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { IMAGE_SIDE, PIXELS } from '../../../src-shared/domain.js';

export class GatherImagesProgram implements WebGPUProgram {
  variableNames: string[];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(
    count: number,
    private readonly warp: boolean,
  ) {
    this.variableNames = warp ? ['images', 'indices', 'transforms'] : ['images', 'indices'];
    this.outputShape = [count, IMAGE_SIDE, IMAGE_SIDE, 1];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [Math.ceil((count * PIXELS) / this.workgroupSize[0]), 1, 1];
    this.shaderKey = `digitLabGatherImages_${warp}`;
  }

  getUserCode(): string {
    const side = IMAGE_SIDE;
    const centre = (IMAGE_SIDE - 1) / 2;
    return `
      // Grey level of pixel (px, py) of training image k (bytes packed four to an i32), 0 outside.
      fn pixel(k : i32, px : i32, py : i32) -> f32 {
        if (px < 0 || py < 0 || px >= ${side} || py >= ${side}) {
          return 0.0;
        }
        let p = k * ${PIXELS} + py * ${side} + px;
        let word = bitcast<u32>(images[p >> 2u]);
        return f32((word >> (u32(p & 3) * 8u)) & 255u) / 255.0;
      }

      fn main(index : i32) {
        if (index >= uniforms.size) {
          return;
        }
        let i = index / ${PIXELS};
        let u = index % ${side};
        let v = (index / ${side}) % ${side};
        let k = indices[i];
        ${
          this.warp
            ? `
        // transforms[i] = (cos θ / s, sin θ / s, dx, dy): source = A⁻¹ · (out - c - d) + c
        let cs = transforms[i * 4];
        let sn = transforms[i * 4 + 1];
        let rx = f32(u) - ${centre} - transforms[i * 4 + 2];
        let ry = f32(v) - ${centre} - transforms[i * 4 + 3];
        let sx = cs * rx + sn * ry + ${centre};
        let sy = -sn * rx + cs * ry + ${centre};
        if (sx < -1.0 || sy < -1.0 || sx >= ${side}.0 || sy >= ${side}.0) {
          setOutputAtIndex(index, 0.0);
          return;
        }
        let x0 = i32(floor(sx));
        let y0 = i32(floor(sy));
        let fx = sx - f32(x0);
        let fy = sy - f32(y0);
        let a = pixel(k, x0, y0);
        let b = pixel(k, x0 + 1, y0);
        let c = pixel(k, x0, y0 + 1);
        let d = pixel(k, x0 + 1, y0 + 1);
        let top = a + fx * (b - a);
        let bottom = c + fx * (d - c);
        setOutputAtIndex(index, top + fy * (bottom - top));`
            : `
        setOutputAtIndex(index, pixel(k, u, v));`
        }
      }
    `;
  }
}

/**
 * Images at `indices` of `images` (an int32 tensor holding the training set's bytes, four to an
 * element) as a [n, 28, 28, 1] float tensor. `transforms` (float32 [n, 4]) warps each image.
 */
export function gatherImages(images: tf.Tensor, indices: tf.Tensor, transforms?: tf.Tensor): tf.Tensor4D {
  const backend = tf.backend() as WebGPUBackend;
  const n = indices.shape[0];
  const program = new GatherImagesProgram(n, Boolean(transforms));
  const inputs = transforms ? [images, indices, transforms] : [images, indices];
  const out = backend.runWebGPUProgram(program, inputs, 'float32');
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}
