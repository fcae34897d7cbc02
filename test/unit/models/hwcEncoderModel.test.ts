import { GENERATED_MODELS } from '../../../models/generate';
import { SAM_OFFICIAL_HWC_ENCODER_FILE, samOfficialHwcEncoderGraph } from '../../../models/generator/hwcEncoderModel';

describe('the HWC test encoder (MobileSAM-style input, preprocessing inside the graph)', () => {
  const graph = samOfficialHwcEncoderGraph();

  it('is generated with the other test models', () => {
    expect(GENERATED_MODELS).toHaveProperty([SAM_OFFICIAL_HWC_ENCODER_FILE]);
    expect(SAM_OFFICIAL_HWC_ENCODER_FILE).toBe('test/sam-official-hwc.encoder.onnx');
  });

  it('takes input_image float32 [H,W,3] and gives image_embeddings [1,256,64,64]', () => {
    expect(graph.inputs).toEqual([{ name: 'input_image', type: 'float32', shape: ['image_height', 'image_width', 3] }]);
    expect(graph.outputs).toEqual([{ name: 'image_embeddings', type: 'float32', shape: [1, 256, 64, 64] }]);
  });

  it('uses only ops that ORT runs on WASM and WebGPU, every Conv with all its attributes', () => {
    // A subset of the WebGPU + WASM op table of generatedModels.test.ts.
    const allowed = new Set([
      'Concat',
      'Conv',
      'Div',
      'Pad',
      'Reshape',
      'Shape',
      'Slice',
      'Sub',
      'Transpose',
      'Unsqueeze',
    ]);
    for (const node of graph.nodes) {
      expect(allowed).toContain(node.op);
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
    expect(graph.nodes.flatMap((n) => n.outputs)).toContain('image_embeddings');
  });
});
