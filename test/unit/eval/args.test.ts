import { DEFAULT_REPROMPT, DEFAULT_STOP } from '../../../extensions/sam-segmentation/src/core';
import { parseEvalArgs, UsageError, type EvalArgs } from '../../../tools/eval/args';

const parse = (text: string) => parseEvalArgs(text.split(' ').filter(Boolean)) as EvalArgs;

describe('npm run eval arguments', () => {
  it('defaults to the study modes S2-S6, both selections, no perturbation, no clicks, seed 0, protocol window', () => {
    const args = parse('--data a');
    expect(args).toMatchObject({
      data: ['a'],
      modes: ['S2', 'S3', 'S4', 'S5', 'S6'],
      everything: false,
      selections: ['iou', 'oracle'],
      perturb: [],
      clicks: 0,
      grid: 32,
      seed: 0,
      window: 'protocol',
      fresh: false,
      reportOnly: false,
    });
    expect(args.jobs).toBeGreaterThanOrEqual(1);
  });

  it('reads every option, in both --name value and --name=value forms, and several datasets', () => {
    const args = parse(
      '--data a,b --data=c --model sam-vit-b --modes S1,S5 --select oracle --perturb 0-10,10-20 --clicks 20 ' +
        '--grid 16 --seed 7 --window file --jobs 3 --shard 1/4 --limit 10 --out o --fresh',
    );
    expect(args).toMatchObject({
      data: ['a', 'b', 'c'],
      model: 'sam-vit-b',
      modes: ['S5'],
      everything: true,
      selections: ['oracle'],
      perturb: ['0-10', '10-20'],
      clicks: 20,
      grid: 16,
      seed: 7,
      window: 'file',
      jobs: 3,
      shard: { index: 1, count: 4 },
      limit: 10,
      out: 'o',
      fresh: true,
    });
  });

  it.each([
    ['', /--data is required/],
    ['--data a --modes S7', /Unknown prompt mode "S7"; modes are S1, S2, .*, S6, 3D-box, 3D-point, S5-all-slices/],
    ['--data a --select best', /--select is oracle, iou or both, got "best"/],
    ['--data a --clicks many', /--clicks takes an integer from 0 to 100, got "many"/],
    ['--data a --grid 4', /--grid takes an integer from 8 to 256/],
    ['--data a --shard 4/4', /--shard is i\/n with 0 ≤ i < n/],
    ['--data a --window hu', /--window is protocol or file/],
    ['--data a --colour red', /Unknown option --colour/],
    ['--data a --model', /--model needs a value/],
    ['--data a --seed 1 --seed 2', /--seed is given 2 times/],
    ['--data a stray', /Unexpected argument "stray"/],
    ['--report', /--report rebuilds the outputs of a run: give its --out folder/],
  ])('refuses %j with a specific message', (text, message) => {
    expect(() => parse(text)).toThrow(UsageError);
    expect(() => parse(text)).toThrow(message);
  });

  it('takes the volume modes beside the 2D ones, with NoC-3D on (20 clicks) and the propagation defaults', () => {
    const args = parse('--data a --modes S5,3D-box,S5-all-slices,3D-point,3D-box');
    expect(args).toMatchObject({
      modes: ['S5'],
      everything: false,
      volumeModes: ['3D-box', 'S5-all-slices', '3D-point'],
      clicks3d: 20,
      propagation: { reprompt: DEFAULT_REPROMPT, stop: DEFAULT_STOP },
      cacheBytes: 768 * 1024 * 1024,
    });
    expect(parse('--data a').volumeModes).toEqual([]);
  });

  it('reads the NoC-3D budget, the cache budget and propagation overrides, keeping the other defaults', () => {
    const json = '{"reprompt":{"boxMargin":0.1,"choose":"overlap"},"stop":{"minPredictedIou":0.4}}';
    const args = parse(`--data a --modes 3D-point --clicks-3d 0 --cache-mb 64 --propagation ${json}`);
    expect(args.clicks3d).toBe(0);
    expect(args.cacheBytes).toBe(64 * 1024 * 1024);
    expect(args.propagation).toEqual({
      reprompt: { ...DEFAULT_REPROMPT, boxMargin: 0.1, choose: 'overlap' },
      stop: { ...DEFAULT_STOP, minPredictedIou: 0.4 },
    });
  });

  it.each([
    ['--propagation nope', /--propagation takes a JSON object, got "nope"/],
    ['--propagation [1]', /--propagation takes a JSON object with "reprompt" and\/or "stop"/],
    ['--propagation {"walk":{}}', /unknown part "walk"; parts are reprompt and stop/],
    ['--propagation {"stop":{"maxGrow":2}}', /unknown stop setting "maxGrow"; known: minPixels, minPredictedIou/],
    ['--propagation {"stop":{"maxGrowth":"2"}}', /stop.maxGrowth must be a number, got "2"/],
    ['--propagation {"reprompt":{"choose":"best"}}', /reprompt.choose must be "overlap" or "predicted-iou"/],
    ['--clicks-3d 101', /--clicks-3d takes an integer from 0 to 100/],
  ])('refuses the volume option %j with a specific message', (text, message) => {
    expect(() => parse(`--data a ${text}`)).toThrow(message);
  });

  it('answers --help', () => {
    expect(parseEvalArgs(['--help'])).toBe('help');
  });
});

describe('--max-pixels and --models-dir', () => {
  it('defaults the pixel limit to 4096 x 4096 and the models folder to the project one', () => {
    const args = parse('--data a');
    expect(args.maxPixels).toBe(4096 * 4096);
    expect(args.modelsDir).toBeUndefined();
  });

  it('reads them, and refuses a limit that is not a positive integer', () => {
    expect(parse('--data a --max-pixels 1000 --models-dir m')).toMatchObject({ maxPixels: 1000, modelsDir: 'm' });
    expect(() => parse('--data a --max-pixels 0')).toThrow(/--max-pixels takes an integer from 1/);
    expect(() => parse('--data a --max-pixels 4k')).toThrow(/--max-pixels takes an integer from 1, got "4k"/);
  });
});

describe('--backend', () => {
  it('defaults to auto (onnxruntime-node: CUDA when its provider is installed, else the CPU)', () => {
    expect(parse('--data a').backend).toBe('auto');
  });

  it('takes cpu, cuda and wasm, and refuses anything else naming the choices', () => {
    for (const b of ['cpu', 'cuda', 'wasm']) expect(parse(`--data a --backend ${b}`).backend).toBe(b);
    expect(() => parse('--data a --backend webgpu')).toThrow('--backend is auto, cpu, cuda, wasm, got "webgpu".');
  });
});
