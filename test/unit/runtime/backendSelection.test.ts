import { chooseBackend, wasmThreadCount } from '../../../extensions/sam-segmentation/src/runtime/backendSelection';
import type { RuntimeEnvironment } from '../../../extensions/sam-segmentation/src/runtime/workerMessages';

const env = (over: Partial<RuntimeEnvironment> = {}): RuntimeEnvironment => ({
  crossOriginIsolated: true,
  hardwareConcurrency: 2,
  webgpuApi: true,
  ...over,
});

describe('chooseBackend', () => {
  it('uses WebGPU when an adapter exists', () => {
    expect(chooseBackend('auto', env(), true)).toEqual({ backend: 'webgpu', reason: 'WebGPU adapter found' });
  });

  it('falls back to WASM and says why when there is no adapter', () => {
    const choice = chooseBackend('auto', env(), false);
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toMatch(/^WebGPU unavailable: no adapter/);
  });

  it('falls back to WASM when the browser has no WebGPU API', () => {
    expect(chooseBackend('auto', env({ webgpuApi: false }), false).reason).toMatch(/no navigator\.gpu/);
  });

  it('honours a forced WASM setting even with a GPU', () => {
    expect(chooseBackend('wasm', env(), true)).toEqual({ backend: 'wasm', reason: 'WASM forced by setting' });
  });

  it('refuses a forced WebGPU setting without an adapter, with a message that says what to do', () => {
    expect(() => chooseBackend('webgpu', env(), false)).toThrow(/no adapter.*"auto" or "wasm"/);
  });
});

describe('wasmThreadCount', () => {
  it('uses one thread when the page is not cross-origin isolated', () => {
    expect(wasmThreadCount(env({ crossOriginIsolated: false, hardwareConcurrency: 16 }))).toBe(1);
  });
  it('uses every core (up to 8) when isolated', () => {
    expect(wasmThreadCount(env({ hardwareConcurrency: 2 }))).toBe(2);
    expect(wasmThreadCount(env({ hardwareConcurrency: 32 }))).toBe(8);
  });
});
