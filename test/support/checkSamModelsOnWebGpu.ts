// A manual check (not part of jest: it needs Chromium and takes a while): runs the SAM-family stand-ins of
// models/test/ in headless Chromium with onnxruntime-web's WebGPU backend (SwiftShader, a CPU WebGPU
// adapter, via --enable-unsafe-webgpu) and with WASM, on the same inputs, and prints how far apart the
// outputs are as JSON. Proves the graphs' ops load and run on WebGPU.
// Usage: tsx test/support/checkSamModelsOnWebGpu.ts [path to chromium]
import { join } from 'node:path';
import { ROOT, withWebGpuPage } from './webGpuCheckPage';

const report = await withWebGpuPage(
  join(ROOT, 'models', 'test'),
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
      const i64 = (data: number[], dims: number[]) =>
        new ort.Tensor('int64', BigInt64Array.from(data.map((v) => BigInt(v))), dims);
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
        const official = await both('sam-official.encoder.onnx', { input_image: image() });
        const points = (coords: number[], labels: number[]) => ({
          point_coords: f32(coords, [1, labels.length, 2]),
          point_labels: f32(labels, [1, labels.length]),
        });
        const officialDecoder = await both('sam-official.decoder.onnx', {
          image_embeddings: official.wasmOut.image_embeddings!,
          ...points([320, 360, 0, 0, 400, 360], [1, -1, 0]),
          mask_input: f32(new Float32Array(256 * 256), [1, 1, 256, 256]),
          has_mask_input: f32([0], [1]),
          orig_im_size: f32([384, 512], [2]),
        });
        const officialBox = await both('sam-official.decoder.onnx', {
          image_embeddings: official.wasmOut.image_embeddings!,
          ...points([212, 252, 428, 468], [2, 3]),
          mask_input: f32(new Float32Array(256 * 256), [1, 1, 256, 256]),
          has_mask_input: f32([0], [1]),
          orig_im_size: f32([1024, 1024], [2]),
        });
        report.official = {
          encoder: [official.gpuMs, official.diff],
          decoderPoints: [officialDecoder.gpuMs, officialDecoder.diff],
          decoderBox: [officialBox.gpuMs, officialBox.diff],
        };

        const sam2 = await both('sam2.encoder.onnx', { image: image() });
        const sam2Decoder = await both('sam2.decoder.onnx', {
          image_embed: sam2.wasmOut.image_embed!,
          high_res_feats_0: sam2.wasmOut.high_res_feats_0!,
          high_res_feats_1: sam2.wasmOut.high_res_feats_1!,
          point_coords: f32([320, 360, 0, 0, 212, 252, 428, 468], [2, 2, 2]),
          point_labels: f32([1, -1, 2, 3], [2, 2]),
          mask_input: f32(new Float32Array(2 * 256 * 256), [2, 1, 256, 256]),
          has_mask_input: f32([0, 0], [2]),
        });
        report.sam2 = { encoder: [sam2.gpuMs, sam2.diff], decoder: [sam2Decoder.gpuMs, sam2Decoder.diff] };

        const tjs = await both('transformersjs.vision_encoder.onnx', { pixel_values: image() });
        const tjsDecoder = await both('transformersjs.prompt_encoder_mask_decoder.onnx', {
          input_points: f32([320, 360, 0, 0], [1, 1, 2, 2]),
          input_labels: i64([1, -10], [1, 1, 2]),
          input_boxes: f32([212, 252, 428, 468], [1, 1, 4]),
          image_embeddings: tjs.wasmOut.image_embeddings!,
          image_positional_embeddings: tjs.wasmOut.image_positional_embeddings!,
        });
        const tjsNoBox = await both('transformersjs.prompt_encoder_mask_decoder.onnx', {
          input_points: f32([320, 360], [1, 1, 1, 2]),
          input_labels: i64([1], [1, 1, 1]),
          input_boxes: f32([], [1, 0, 4]),
          image_embeddings: tjs.wasmOut.image_embeddings!,
          image_positional_embeddings: tjs.wasmOut.image_positional_embeddings!,
        });
        report.transformersjs = {
          encoder: [tjs.gpuMs, tjs.diff],
          decoderBox: [tjsDecoder.gpuMs, tjsDecoder.diff],
          decoderNoBox: [tjsNoBox.gpuMs, tjsNoBox.diff],
        };
      } catch (error) {
        report.error = String(error);
      }
      return report;
    });
    return { ...result, logs: logs.slice(0, 40) };
  },
);
console.log(JSON.stringify(report));
