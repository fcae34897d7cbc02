/**
 * The HTML report: a well-nested, self-contained page (no script, no external reference), an inline SVG per
 * plot, every run-provided string escaped (an object named "<script>…" must not come out raw).
 */
import { SummaryBuilder, type Summary } from '../../../tools/eval/results/aggregate';
import { escapeHtml, renderReport, type ReportMeta } from '../../../tools/eval/results/report';
import type { ResultRow, RowMode } from '../../../tools/eval/results/rows';
import { resultRow } from './rowFixture';

const EVIL = '<script>alert("x")</script>';

const row = (over: Partial<ResultRow> = {}) => resultRow(over);

function summary(): Summary {
  const b = new SummaryBuilder();
  let k = 0;
  for (const object of ['liver', EVIL])
    for (const mode of ['S1', 'S2', 'S5'] as RowMode[])
      for (const perturb of mode === 'S1' ? ['none'] : ['none', '0-10', '10-20'])
        for (const select of ['oracle', 'iou'] as const)
          for (let i = 0; i < 4; i++) {
            const dice = ((k++ * 37) % 100) / 100;
            b.add(row({ object, mode, perturb, select, dice, iou: dice / (2 - dice), modality: i % 2 ? 'MR' : 'CT' }));
          }
  b.add(row({ dice: 0, iou: 0, hd95: null, hdMax: null, asd: null, empty: 'empty-prediction' }));
  for (const select of ['oracle', 'iou'] as const) {
    b.add(row({ mode: 'clicks', select, diceByClick: [0.5, 0.86, 0.92], noc85: 2, noc90: 3, dice: 0.92 }));
    b.add(row({ mode: 'clicks', select, diceByClick: [0.7], noc85: 20, noc90: 20, dice: 0.7 }));
  }
  b.addDone({ type: 'done', ref: 'r1', images: 4, objects: 8, ms: 2500 });
  b.addSkipped({ type: 'skipped', ref: 'bad', path: '/data/<b>bad</b>.png', reason: 'size mismatch & "odd"' });
  b.addLine({ type: 'failed', ref: 'r2', path: '/data/r2.png', reason: 'evaluation of r2 failed: <decoder>' });
  return b.build();
}

const META: ReportMeta = {
  title: 'SAM eval <ViT-B>',
  model: 'sam-vit-b',
  createdAt: '2025-01-01T00:00:00Z',
  command: 'npm run eval -- --data "a&b"',
  seed: 7,
};

/** Checks that tags nest (HTML void elements and self-closed SVG elements aside). */
function expectWellNested(html: string) {
  const voids = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    const tag = name!.toLowerCase();
    if (selfClose || voids.has(tag)) continue;
    if (!close) stack.push(tag);
    else expect(`</${stack.pop()}>`).toBe(`</${tag}>`);
  }
  expect(stack).toEqual([]);
}

describe('renderReport', () => {
  const s = summary();
  const html = renderReport(s, META);

  it('is a well-nested HTML page with the meta and totals', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expectWellNested(html);
    expect(html).toContain('<title>SAM eval &lt;ViT-B&gt;</title>');
    expect(html).toContain('npm run eval -- --data &quot;a&amp;b&quot;');
    expect(html).toContain('<dt>seed</dt><dd>7</dd>');
    expect(html).toContain('sam-vit-b');
    expect(html).toMatch(/references done<b>1<\/b>/);
    expect(html).toMatch(/mean time \/ reference<b>2\.50 s<\/b>/);
  });

  it('draws one inline SVG per plot: box plots, clicks, one drop chart per perturbed mode', () => {
    const svgs = html.match(/<svg\b/g) ?? [];
    expect(svgs).toHaveLength(1 + 1 + 2); // S2 and S5 have bands
    expect(html.match(/<\/svg>/g)).toHaveLength(svgs.length);
    expect(html).toContain('aria-label="Dice per prompt mode, box plots"');
    expect(html).toContain('aria-label="Mean Dice vs number of clicks"');
    expect(html).toContain('aria-label="Dice drop vs perturbation, S2 1 point"');
    expect(html).toContain('aria-label="Dice drop vs perturbation, S5 box"');
    expect(html).toContain('NoC@85 11.00 ± 12.73'); // (2 + 20) / 2, sample std
    expect(html).toContain('>Dice</text>'); // axes are labelled
    expect(html).toContain('>Clicks</text>');
    expect(html).toContain('>Perturbation band (px)</text>');
  });

  it('escapes run-provided text and references nothing outside the page', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(escapeHtml(EVIL));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('/data/&lt;b&gt;bad&lt;/b&gt;.png');
    expect(html).toContain('size mismatch &amp; &quot;odd&quot;');
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/\bhref\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
  });

  it('has a table per modality × object with both selections, the empty counts and the skipped list', () => {
    expect(html).toContain('<summary>CT · liver</summary>');
    expect(html).toContain(`<summary>MR · ${escapeHtml(EVIL)}</summary>`);
    expect(html).toContain('<summary>CT: all objects</summary>');
    expect((html.match(/<th>oracle<\/th><th>pred\. IoU<\/th>/g) ?? []).length).toBeGreaterThan(4);
    expect(html).toContain('S2, moved 0-10 px');
    expect(html).toContain('1/0/0'); // the empty prediction of CT liver S2 oracle
    expect(html).toContain('How to read');
    expect(html).toContain('+0.1');
    expect(html).toContain('<h2>Skipped files</h2>');
  });

  it('lists the references that failed, saying that a rerun retries them', () => {
    expect(html).toMatch(/failed<b>1<\/b>/);
    expect(html).toContain('<h2>Failed references</h2>');
    expect(html).toContain('evaluation of r2 failed: &lt;decoder&gt;');
    expect(html).toMatch(/rerun .* retries them/);
  });

  it('renders an empty summary without plots', () => {
    const empty = renderReport(new SummaryBuilder().build(), META);
    expectWellNested(empty);
    expect(empty).not.toContain('<svg');
    expect(empty).toContain('No rows.');
    expect(empty).toContain('None.');
  });
});
