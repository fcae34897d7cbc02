// A manual check (not part of jest: it needs Chromium): runs the default model (models/intensity-similarity-v1)
// in headless Chromium with onnxruntime-web's WebGPU backend (SwiftShader, a CPU WebGPU adapter, via
// --enable-unsafe-webgpu, or a real GPU) and with WASM on the same inputs (a point, a box, exclude points,
// mask_input), and prints how far apart the outputs are as JSON. Proves the graphs' ops load and run on WebGPU.
// Usage: tsx test/support/checkDefaultModelOnWebGpu.ts [path to chromium]
import { join } from 'node:path';
import { ROOT, withWebGpuPage } from './webGpuCheckPage';

const report = await withWebGpuPage(
  join(ROOT, 'models', 'intensity-similarity-v1'),
  process.argv[2] ?? '/usr/bin/chromium',
  async (page, logs) => {
    const result = await page.evaluate(async () => {
      type Ort = typeof import('onnxruntime-web');
      type T = import('onnxruntime-web').Tensor;
      const ort = (await import(/* webpackIgnore: true */ '/ort/ort.webgpu.min.mjs' as string)) as Ort;
      ort.env.wasm.wasmPaths = '/ort/';
      ort.env.wasm.numThreads = 1;
      const adapter = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
      const adapterInfo = adapter ? `${adapter.info?.vendor ?? ''}|${adapter.info?.architecture ?? ''}` : 'none';

      const f32 = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);
      // A bright disc (centre 320, 360; radius 100) on a dark background, normalised-looking values.
      const image = (batch = 1) => {
        const plane = 1024 * 1024;
        const data = new Float32Array(batch * 3 * plane);
        for (let y = 0; y < 1024; y++) {
          for (let x = 0; x < 1024; x++) {
            const v = (x + 0.5 - 320) ** 2 + (y + 0.5 - 360) ** 2 <= 100 * 100 ? 2 : -2;
            for (let c = 0; c < 3 * batch; c++) data[c * plane + y * 1024 + x] = v;
          }
        }
        return f32(data, [batch, 3, 1024, 1024]);
      };
      const compare = (a: Record<string, T>, b: Record<string, T>) => {
        const out: Record<string, { dims: readonly number[]; maxAbsDiff: number; signMismatch: number }> = {};
        for (const name of Object.keys(a)) {
          const x = a[name]!.data as Float32Array;
          const y = b[name]!.data as Float32Array;
          let maxAbsDiff = 0;
          let mismatched = 0;
          for (let i = 0; i < x.length; i++) {
            maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x[i]! - y[i]!));
            if (x[i]! > 0 !== y[i]! > 0) mismatched++;
          }
          out[name] = { dims: a[name]!.dims, maxAbsDiff, signMismatch: mismatched / x.length };
        }
        return out;
      };
      const both = async (file: string, feeds: Record<string, T>) => {
        const bytes = new Uint8Array(await (await fetch(`/models/${file}`)).arrayBuffer());
        const wasm = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        const gpu = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
        const start = performance.now();
        const gpuOut = (await gpu.run(feeds)) as Record<string, T>;
        const gpuMs = performance.now() - start;
        const wasmOut = (await wasm.run(feeds)) as Record<string, T>;
        await wasm.release();
        await gpu.release();
        return { wasmOut, gpuMs: Math.round(gpuMs), diff: compare(wasmOut, gpuOut) };
      };

      const report: Record<string, unknown> = { adapterInfo };
      try {
        const encoder = await both('encoder.onnx', { input_image: image() });
        const embeddings = encoder.wasmOut.image_embeddings!;
        const decode = (coords: number[], labels: number[], size: [number, number], previous?: Float32Array) =>
          both('decoder.onnx', {
            image_embeddings: embeddings,
            point_coords: f32(coords, [1, labels.length, 2]),
            point_labels: f32(labels, [1, labels.length]),
            mask_input: f32(previous ?? new Float32Array(256 * 256), [1, 1, 256, 256]),
            has_mask_input: f32([previous ? 1 : 0], [1]),
            orig_im_size: f32(size, [2]),
          });
        const point = await decode([320, 360, 0, 0], [1, -1], [384, 512]);
        const box = await decode([212, 252, 428, 468], [2, 3], [1024, 1024]);
        const pointsAndBox = await decode(
          [320, 360, 330, 300, 500, 500, 212, 252, 428, 468],
          [1, 1, 0, 2, 3],
          [1024, 1024],
        );
        const refined = await decode(
          [320, 360, 0, 0],
          [1, -1],
          [1024, 1024],
          (point.wasmOut.low_res_masks!.data as Float32Array).slice(0, 256 * 256),
        );
        report.encoder = [encoder.gpuMs, encoder.diff];
        report.point = [point.gpuMs, point.diff];
        report.box = [box.gpuMs, box.diff];
        report.pointsAndBox = [pointsAndBox.gpuMs, pointsAndBox.diff];
        report.maskInput = [refined.gpuMs, refined.diff];
      } catch (error) {
        report.error = String(error);
      }
      return report;
    });
    return { ...result, logs: logs.slice(0, 40) };
  },
);
console.log(JSON.stringify(report));
