// Decode a PNG or JPEG file to RGBA pixels: the engine's decoder (image folders use it too).
export { readImage, type RgbaImage } from '../engine/data/image-file.js';
