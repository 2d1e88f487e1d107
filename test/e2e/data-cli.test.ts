// `mlship data profile|schema|validate` through the built binary (dist/cli/main.js), on the
// built-in boston-housing table and on California-layout CSV/JSONL files the test writes itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir = '';

function mlship(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLSHIP_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = 'longitude,latitude,housing_median_age,total_rooms,total_bedrooms,population,households,median_income,median_house_value,ocean_proximity';
const ROWS = [
  '-122.23,37.88,41.0,880.0,129.0,322.0,126.0,8.3252,452600.0,NEAR BAY',
  '-122.22,37.86,21.0,7099.0,1106.0,2401.0,1138.0,8.3014,358500.0,NEAR BAY',
  '-121.97,37.64,32.0,1283.0,194.0,485.0,171.0,6.0574,431000.0,<1H OCEAN',
  '-118.32,33.35,27.0,1675.0,521.0,744.0,331.0,2.1579,450000.0,ISLAND',
  '-117.24,32.80,28.0,2608.0,,1161.0,588.0,4.5000,500001.0,NEAR OCEAN',
  '-119.56,36.51,37.0,1018.0,213.0,663.0,204.0,1.6635,67000.0,INLAND',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-data-e2e-'));
  writeFileSync(join(dir, 'housing.csv'), [HEADER, ...ROWS, ''].join('\n'));
  const bad = [
    HEADER,
    ROWS[0],
    '-122.22,37.86,21.0,7099.0,,2401.0,1138.0,,-5.0,NEAR BAY',
    '-121.97,37.64,32.0,1283.0,194.0,485.0,171.0,6.0574,431000.0,MARS',
  ];
  writeFileSync(join(dir, 'new.csv'), bad.join('\n') + '\n');
  const cols = HEADER.split(',');
  writeFileSync(
    join(dir, 'housing.jsonl'),
    ROWS.map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, k) => [cols[k], k === 9 ? v : v === '' ? null : Number(v)])))).join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mlship data (built)', () => {
  it('--help of each data command has an example', () => {
    for (const args of [['data'], ['data', 'profile'], ['data', 'schema'], ['data', 'validate']]) {
      const r = mlship(...args, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('$ mlship data ');
    }
    expect(mlship('--help').stdout).toContain('data');
  });

  it('profile: the built-in boston-housing passes; --json has the verdict and per-column facts', () => {
    const text = mlship('data', 'profile', 'boston-housing', '--target', 'medv');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("data quality: PASS (506 rows, 14 columns, target 'medv')");
    const json = mlship('data', 'profile', 'boston-housing', '--json');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ source: 'boston-housing', rows: 506, columns: 14, verdict: 'pass' });
    expect(report.columnReports.find((c: { name: string }) => c.name === 'chas')).toMatchObject({ kind: 'integer', distinct: 2 });
  });

  it('profile: a CSV whose minority class is rare fails with exit status 1 and the reasons', () => {
    const r = mlship('data', 'profile', 'housing.csv', '--kind', 'ocean_proximity=category', '--target', 'ocean_proximity', '--minority-threshold', '0.2');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('data quality: FAIL');
    expect(r.stdout).toContain("column 'total_bedrooms' has 1 missing value");
    expect(r.stderr).toMatch(/error \[INVALID_DATA\]: housing\.csv fails the data-quality checks: target 'ocean_proximity': class/);
  });

  it('schema → hand edit → validate: exit 0 when valid, 1 with every violation listed when not', () => {
    const s = mlship('data', 'schema', 'housing.csv', '--kind', 'ocean_proximity=category', '--out', 'housing.schema.json');
    expect(s.status).toBe(0);
    expect(s.stdout).toContain('wrote housing.schema.json (10 columns)');
    const schema = JSON.parse(readFileSync(join(dir, 'housing.schema.json'), 'utf8'));
    expect(schema.columns.find((c: { name: string }) => c.name === 'ocean_proximity').categories).toEqual(['<1H OCEAN', 'INLAND', 'ISLAND', 'NEAR BAY', 'NEAR OCEAN']);
    // The hand edit: house values are never below 10,000.
    schema.columns.find((c: { name: string }) => c.name === 'median_house_value').min = 10000;
    writeFileSync(join(dir, 'housing.schema.json'), JSON.stringify(schema, null, 2));

    const ok = mlship('data', 'validate', 'housing.jsonl', '--schema', 'housing.schema.json');
    expect(ok.stderr).not.toContain('error [');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('housing.jsonl: valid (6 rows, 10 columns match housing.schema.json)');

    const bad = mlship('data', 'validate', 'new.csv', '--schema', 'housing.schema.json');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error [SCHEMA_MISMATCH]: new.csv does not match housing.schema.json (3 violations):');
    expect(bad.stderr).toContain("- column 'median_house_value': 1 row is below the minimum 10000 (row 1: -5)");
    expect(bad.stderr).toContain(`- column 'ocean_proximity': 1 row holds values outside the allowed categories`);
    expect(bad.stderr).toContain("- column 'median_income': 1 row is missing; the schema says the column is not nullable (row 1: null)");
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const json = mlship('data', 'validate', 'new.csv', '--schema', 'housing.schema.json', '--json');
    expect(json.status).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result.valid).toBe(false);
    expect(result.violations.map((v: { rule: string }) => v.rule).sort()).toEqual(['categories', 'min', 'nullable']);

    const printed = mlship('data', 'schema', 'boston-housing', '--target', 'medv');
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ formatVersion: 1, target: 'medv' });
  });

  it('bad input ends in one error line with a code: a broken schema file, a missing file, a bad --kind', () => {
    writeFileSync(join(dir, 'broken.schema.json'), JSON.stringify({ formatVersion: 1, columns: [{ name: 'x', kind: 'flaot', nullable: false }] }));
    const broken = mlship('data', 'validate', 'housing.csv', '--schema', 'broken.schema.json');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('$.columns[0].kind: expected one of');
    const missing = mlship('data', 'profile', 'nope.csv');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error \[NOT_FOUND\]: .*nope\.csv: no such file or directory/);
    const kind = mlship('data', 'profile', 'housing.csv', '--kind', 'ocean_proximity');
    expect(kind.status).toBe(1);
    expect(kind.stderr).toContain('expected column=kind');
    for (const r of [broken, missing, kind]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
