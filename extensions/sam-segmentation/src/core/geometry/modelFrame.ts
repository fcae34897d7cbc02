/**
 * The model frame: where an image lies inside the square model input, and the exact maps between
 * image and model coordinates.
 *
 * Coordinates are pixel indices: x = c is the centre of column c, so the image spans -0.5 … W-0.5.
 * Following the official `ResizeLongestSide.apply_coords`, a point is scaled by (newW/W, newH/H) with no
 * offset; the prompt encoder itself adds 0.5 to move to the model's pixel centre. Keeping that exact
 * convention gives the model what it saw in training (it differs from a centre-to-centre map by at most
 * half a model pixel).
 */
import type { ResizeMode } from '../families';

/** What fixes the frame: the square input size and how the image is fitted into it. */
export interface FrameGeometry {
  inputSize: number;
  resize: ResizeMode;
}

export interface Point2 {
  x: number;
  y: number;
}

/** Letterbox size of the official transform: `int(W * s + 0.5)` with s = S / max(H, W). */
export function letterboxSize(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

export class ModelFrame {
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly inputSize: number;
  readonly resize: ResizeMode;
  /** Size of the resized image inside the model input; the rest (letterbox) is zero padding. */
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  /** Model pixels per image pixel along each axis. */
  readonly scaleX: number;
  readonly scaleY: number;

  constructor(imageWidth: number, imageHeight: number, geometry: FrameGeometry) {
    for (const [what, v] of [
      ['image width', imageWidth],
      ['image height', imageHeight],
      ['model input size', geometry.inputSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`The ${what} must be a positive integer, got ${v}.`);
    }
    this.imageWidth = imageWidth;
    this.imageHeight = imageHeight;
    this.inputSize = geometry.inputSize;
    this.resize = geometry.resize;
    const resized =
      geometry.resize === 'letterbox'
        ? letterboxSize(imageWidth, imageHeight, geometry.inputSize)
        : { width: geometry.inputSize, height: geometry.inputSize };
    this.resizedWidth = resized.width;
    this.resizedHeight = resized.height;
    this.scaleX = resized.width / imageWidth;
    this.scaleY = resized.height / imageHeight;
  }

  imageToModel(x: number, y: number): Point2 {
    return { x: (x * this.resizedWidth) / this.imageWidth, y: (y * this.resizedHeight) / this.imageHeight };
  }

  modelToImage(x: number, y: number): Point2 {
    return { x: (x * this.imageWidth) / this.resizedWidth, y: (y * this.imageHeight) / this.resizedHeight };
  }
}
