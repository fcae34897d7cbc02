import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_MODELS } from '../../../models/generate';
import {
  DEFAULT_MODEL_DECODER_FILE,
  DEFAULT_MODEL_ENCODER_FILE,
  defaultDecoderGraph,
  defaultEncoderGraph,
} from '../../../models/generator/defaultModel';
import type { Graph } from '../../../models/generator/onnxModel';
import { RUNTIME_PROBE_FILE } from '../../../models/generator/runtimeProbeModel';
import {
  SAM2_MEMORY_ATTENTION_FILE,
  SAM2_MEMORY_ENCODER_FILE,
  sam2MemoryAttentionGraph,
  sam2MemoryEncoderGraph,
} from '../../../models/generator/sam2MemoryModel';
import {
  SAM2_DECODER_FILE,
  SAM2_ENCODER_FILE,
  sam2DecoderGraph,
  sam2EncoderGraph,
} from '../../../models/generator/sam2Model';
import {
  SAM_OFFICIAL_DECODER_FILE,
  SAM_OFFICIAL_ENCODER_FILE,
  samOfficialDecoderGraph,
  samOfficialEncoderGraph,
} from '../../../models/generator/samOfficialModel';
import {
  TRANSFORMERS_JS_DECODER_FILE,
  TRANSFORMERS_JS_ENCODER_FILE,
  transformersJsDecoderGraph,
  transformersJsEncoderGraph,
} from '../../../models/generator/transformersJsSamModel';
import { runTsScript } from '../../support/runTsScript';

const MODELS_DIR = join(__dirname, '..', '..', '..', 'models');

/**
 * The SAM-family graphs, by file: the stand-ins (their behaviour is tested in samFamilyModels.test.ts) and
 * the default model (defaultModel.test.ts).
 */
const SAM_FAMILY_GRAPHS: Record<string, () => Graph> = {
  [DEFAULT_MODEL_ENCODER_FILE]: () => defaultEncoderGraph(),
  [DEFAULT_MODEL_DECODER_FILE]: () => defaultDecoderGraph(),
  [SAM_OFFICIAL_ENCODER_FILE]: samOfficialEncoderGraph,
  [SAM_OFFICIAL_DECODER_FILE]: samOfficialDecoderGraph,
  [SAM2_ENCODER_FILE]: sam2EncoderGraph,
  [SAM2_DECODER_FILE]: sam2DecoderGraph,
  [SAM2_MEMORY_ATTENTION_FILE]: sam2MemoryAttentionGraph,
  [SAM2_MEMORY_ENCODER_FILE]: sam2MemoryEncoderGraph,
  [TRANSFORMERS_JS_ENCODER_FILE]: transformersJsEncoderGraph,
  [TRANSFORMERS_JS_DECODER_FILE]: transformersJsDecoderGraph,
};

/** Ops in onnxruntime-web's WebGPU operator table (js/web/docs/webgpu-operators.md) that WASM runs too. */
const WEBGPU_AND_WASM_OPS = new Set([
  'Abs',
  'Add',
  'Cast',
  'Clip',
  'Concat',
  'Conv',
  'Div',
  'Equal',
  'Exp',
  'Expand',
  'Floor',
  'Gather',
  'Greater',
  'Log',
  'MatMul',
  'Mul',
  'Pad',
  'ReduceMax',
  'ReduceMean',
  'ReduceMin',
  'ReduceSum',
  'Relu',
  'Reshape',
  'Resize',
  'Shape',
  'Sigmoid',
  'Sin',
  'Slice',
  'Sqrt',
  'Sub',
  'Transpose',
  'Unsqueeze',
]);

describe('models the project generates', () => {
  it.each(Object.keys(GENERATED_MODELS))('committed %s is exactly what the generator writes', (file) => {
    const committed = readFileSync(join(MODELS_DIR, file));
    expect(Buffer.from(GENERATED_MODELS[file]!()).equals(committed)).toBe(true);
  });

  it('stay small: all of them together under 200 KB', () => {
    const total = Object.values(GENERATED_MODELS).reduce((sum, build) => sum + build().length, 0);
    expect(total).toBeLessThan(200 * 1024);
  });

  it('every SAM-family stand-in is registered for generation', () => {
    for (const file of Object.keys(SAM_FAMILY_GRAPHS)) expect(GENERATED_MODELS).toHaveProperty([file]);
  });

  it.each(Object.keys(SAM_FAMILY_GRAPHS))(
    '%s uses only ops ORT runs on WASM and WebGPU, every Conv with all its attributes',
    (file) => {
      const graph = SAM_FAMILY_GRAPHS[file]!();
      for (const node of graph.nodes) {
        expect(WEBGPU_AND_WASM_OPS).toContain(node.op);
        if (node.op === 'Conv') {
          expect(Object.keys(node.attributes ?? {}).sort()).toEqual([
            'dilations',
            'group',
            'kernel_shape',
            'pads',
            'strides',
          ]);
        }
      }
      // Every declared output is computed by a node.
      const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
      for (const output of graph.outputs) expect(produced).toContain(output.name);
    },
  );

  it('the runtime probe runs in onnxruntime-web and computes the 3x3 box mean it is built for', () => {
    const result = runTsScript<{ inputNames: string[]; outputNames: string[]; dims: number[]; data: number[] }>(
      'test/support/runProbeModel.ts',
      [join(MODELS_DIR, RUNTIME_PROBE_FILE)],
    );
    expect(result.inputNames).toEqual(['input']);
    expect(result.outputNames).toEqual(['output']);
    expect(result.dims).toEqual([1, 4, 1, 1]);
    // Output k = mean over the image of a zero-padded 3x3 box filter of channel k % 3 (+1 for k = 3).
    // On a constant 6x10 image, the padded box mean is c * (sum over pixels of covered cells / 9) / 60.
    const coverage = (n: number) => 3 * n - 2; // covered cells along one axis, summed over positions
    const meanFactor = (coverage(6) * coverage(10)) / 9 / 60;
    const expected = [1 * meanFactor, 2 * meanFactor, 3 * meanFactor, 1 * meanFactor + 1];
    result.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});
