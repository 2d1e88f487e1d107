// The built CLI (`dist/cli/main.js`, the package bin) as a user runs it: an IMDB-layout CSV the test
// writes itself, trained with --strip-html, then predict, model info and clean errors.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir = '';

function mlship(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLSHIP_DEBUG: '' } });
  if (r.status !== 0 && process.env.MLSHIP_E2E_VERBOSE) console.error(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-cli-e2e-'));
  const pos = ['A wonderful film.<br /><br />Great acting and a moving story', 'I loved it, brilliant and touching', 'Superb direction, a masterpiece', 'Great fun, I would watch it again', 'Beautiful and funny, highly recommended'];
  const neg = ['Terrible plot.<br />Awful acting and boring', 'I hated it, a waste of time', 'Dull, predictable and far too long', 'Bad script and worse acting', 'Boring, I fell asleep, awful'];
  let csv = 'review,sentiment\n';
  for (let k = 0; k < 6; k++) {
    for (const p of pos) csv += `"${p}, take ${k}",positive\n`;
    for (const n of neg) csv += `"${n}, take ${k}",negative\n`;
  }
  writeFileSync(join(dir, 'IMDB Dataset.csv'), csv);
  writeFileSync(join(dir, 'broken.csv'), 'review,sentiment\n"an unterminated quote,positive\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mlship CLI (built)', () => {
  it('--help lists the commands with examples', () => {
    const r = mlship('--help');
    expect(r.status).toBe(0);
    for (const cmd of ['quickstart', 'train', 'predict', 'evaluate', 'model', 'datasets']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('Examples:');
  });

  it('trains on an IMDB CSV with --strip-html, predicts, and describes the model package', () => {
    const train = mlship('train', 'text', '--data', 'IMDB Dataset.csv', '--strip-html', '--out', 'imdb.mlship', '--json');
    expect(train.stderr).not.toContain('error [');
    expect(train.status).toBe(0);
    const result = JSON.parse(train.stdout);
    expect(result.dataset.rows).toBe(60);
    expect(result.split).toMatchObject({ train: 48, test: 12, stratified: true });
    expect(readFileSync(join(dir, 'imdb.mlship')).subarray(1, 7).toString()).toBe('MLSHIP');

    const pred = mlship('predict', '--model', 'imdb.mlship', '--text', 'a brilliant and moving masterpiece', '--text', 'boring and awful, a waste', '--json');
    expect(pred.status).toBe(0);
    const out = JSON.parse(pred.stdout);
    expect(out.predictions.map((p: { label: string }) => p.label)).toEqual(['positive', 'negative']);
    const probs = out.predictions[0].probabilities;
    expect(probs.positive + probs.negative).toBeCloseTo(1, 12);

    const info = mlship('model', 'info', 'imdb.mlship', '--json');
    expect(info.status).toBe(0);
    const meta = JSON.parse(info.stdout);
    expect(meta.estimator).toBe('Pipeline');
    expect(meta.params['tfidf.preprocessor']).toBe('strip_html_lower');
    expect(meta.classes).toEqual(['negative', 'positive']);
  });

  it('bad input ends in one error line with a code and no stack trace', () => {
    const missing = mlship('predict', '--model', 'nope.mlship', '--text', 'x');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error \[NOT_FOUND\]: model file .*nope\.mlship does not exist/);
    const broken = mlship('train', 'text', '--data', 'broken.csv');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/error \[PARSE_ERROR\].*broken\.csv.*line 2/);
    const usage = mlship('train', 'text', '--data', 'IMDB Dataset.csv', '--test-size', '2');
    expect(usage.status).toBe(2);
    for (const r of [missing, broken, usage]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
