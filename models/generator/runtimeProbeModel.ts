/**
 * The runtime probe: a tiny convolutional graph the inference worker runs once at start-up to
 * prove that onnxruntime's WASM/WebGPU files load from where the extension bundle lives, and to
 * learn which backend really executes (shown in the SAM panel). It has the same kind of ops the
 * SAM encoders use (Conv with explicit attributes: ORT's WebGPU backend refuses Conv without them).
 */
import { attr, encodeModel, tensor } from './onnxModel';

export const RUNTIME_PROBE_FILE = 'runtime-probe.onnx';

export function buildRuntimeProbeModel(): Uint8Array {
  const outChannels = 4;
  const weights = new Float32Array(outChannels * 3 * 3 * 3);
  // Output channel k averages input channel k % 3 over the 3x3 window: easy to predict in tests.
  for (let k = 0; k < outChannels; k++) {
    for (let i = 0; i < 9; i++) weights[k * 27 + (k % 3) * 9 + i] = 1 / 9;
  }
  return encodeModel(
    {
      name: 'runtime_probe',
      inputs: [{ name: 'input', type: 'float32', shape: [1, 3, 'height', 'width'] }],
      outputs: [{ name: 'output', type: 'float32', shape: [1, outChannels, 1, 1] }],
      initializers: [
        tensor.float32('conv_w', [outChannels, 3, 3, 3], weights),
        tensor.float32('conv_b', [outChannels], [0, 0, 0, 1]),
      ],
      nodes: [
        {
          op: 'Conv',
          inputs: ['input', 'conv_w', 'conv_b'],
          outputs: ['conv'],
          attributes: {
            kernel_shape: attr.ints([3, 3]),
            dilations: attr.ints([1, 1]),
            strides: attr.ints([1, 1]),
            pads: attr.ints([1, 1, 1, 1]),
            group: attr.int(1),
          },
        },
        {
          op: 'ReduceMean',
          inputs: ['conv'],
          outputs: ['output'],
          attributes: { axes: attr.ints([2, 3]), keepdims: attr.int(1) },
        },
      ],
    },
    { opset: 17, docString: 'ohif-sam runtime probe', metadata: { purpose: 'runtime-probe' } },
  );
}
