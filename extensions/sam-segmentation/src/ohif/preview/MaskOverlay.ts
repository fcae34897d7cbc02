/**
 * Draws a candidate mask over a viewport, on a canvas of its own stacked on Cornerstone's: the
 * user's segmentations are not touched until they accept. The mask is drawn with one affine
 * transform from image pixels to canvas pixels, taken from the viewport's own world ↔ canvas
 * mapping, so it follows zoom, pan and flips; it hides itself on any other image.
 */
export interface OverlayViewport {
  element: HTMLElement;
  getCurrentImageId(): string;
  worldToCanvas(world: number[]): [number, number];
}

export type ImageToWorld = (imageId: string, imagePoint: [number, number]) => number[];

const FILL: [number, number, number, number] = [0, 200, 255, 110];

export class MaskOverlay {
  private readonly canvas: HTMLCanvasElement;
  private readonly maskCanvas: HTMLCanvasElement;
  private mask: { imageId: string; width: number; height: number } | undefined;

  constructor(
    private readonly viewport: OverlayViewport,
    private readonly imageToWorld: ImageToWorld,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.testid = 'sam-preview-overlay';
    Object.assign(this.canvas.style, { position: 'absolute', inset: '0', pointerEvents: 'none', zIndex: '5' });
    viewport.element.appendChild(this.canvas);
    this.maskCanvas = document.createElement('canvas');
  }

  /** Shows a binary mask (uint8[height*width]) on `imageId`. */
  show(mask: Uint8Array, width: number, height: number, imageId: string): void {
    this.maskCanvas.width = width;
    this.maskCanvas.height = height;
    const ctx = this.maskCanvas.getContext('2d')!;
    const pixels = ctx.createImageData(width, height);
    const rgba = new Uint32Array(pixels.data.buffer);
    const [r, g, b, a] = FILL;
    const fill = (a << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA
    for (let i = 0; i < mask.length; i++) if (mask[i]) rgba[i] = fill;
    ctx.putImageData(pixels, 0, 0);
    this.mask = { imageId, width, height };
    this.render();
  }

  clear(): void {
    this.mask = undefined;
    this.render();
  }

  get element(): HTMLElement {
    return this.viewport.element;
  }

  get visibleImageId(): string | undefined {
    return this.mask?.imageId;
  }

  /** Redraws for the viewport's current camera; call on camera and image changes. */
  render(): void {
    const { element } = this.viewport;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.round(element.clientWidth * dpr);
    const h = Math.round(element.clientHeight * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const mask = this.mask;
    if (!mask || this.viewport.getCurrentImageId() !== mask.imageId) return;
    // Pixel (i, j) spans [i - 0.5, i + 0.5] in image coordinates: map the outer corners.
    const at = (x: number, y: number) => this.viewport.worldToCanvas(this.imageToWorld(mask.imageId, [x, y]));
    const o = at(-0.5, -0.5);
    const ex = at(mask.width - 0.5, -0.5);
    const ey = at(-0.5, mask.height - 0.5);
    ctx.setTransform(
      ((ex[0] - o[0]) / mask.width) * dpr,
      ((ex[1] - o[1]) / mask.width) * dpr,
      ((ey[0] - o[0]) / mask.height) * dpr,
      ((ey[1] - o[1]) / mask.height) * dpr,
      o[0] * dpr,
      o[1] * dpr,
    );
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.maskCanvas, 0, 0);
  }

  destroy(): void {
    this.canvas.remove();
  }
}
