// `mlship data add|status|checkout|push|pull` through the built binary (dist/cli/main.js): a file
// and a nested folder versioned, edited, deleted, restored, pushed to a remote folder and pulled
// into a fresh clone that holds only the pointer files (what git holds).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let base = '';
let dir = '';

function mlship(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MLSHIP_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'mlship-versions-e2e-'));
  dir = join(base, 'project');
  mkdirSync(join(dir, 'data/images/cats'), { recursive: true });
  writeFileSync(join(dir, 'data/train.csv'), 'x,y\n1,2\n3,4\n');
  writeFileSync(join(dir, 'data/images/a.png'), 'png-a');
  writeFileSync(join(dir, 'data/images/cats/tom.png'), 'png-tom');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('mlship data versions (built CLI)', () => {
  it('has --help with examples on each command', () => {
    for (const cmd of ['add', 'status', 'checkout', 'push', 'pull']) {
      const r = mlship(dir, 'data', cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`mlship data ${cmd}`);
    }
    expect(mlship(dir, 'data', '--help').stdout).toMatch(/add.*\n[\s\S]*checkout/);
  });

  it('adds, reports status, refuses and forces checkout, pushes and pulls', () => {
    const add = mlship(dir, 'data', 'add', 'data/train.csv', 'data/images', '--json');
    expect(add.stderr).not.toContain('error [');
    expect(add.status).toBe(0);
    const added = JSON.parse(add.stdout) as { path: string; pointer: { kind: string; files: number; sha256: string }; hashed: number }[];
    expect(added.map((a) => [a.path, a.pointer.kind, a.pointer.files, a.hashed])).toEqual([
      ['data/train.csv', 'file', 1, 1],
      ['data/images', 'folder', 2, 2],
    ]);
    expect(readFileSync(join(dir, 'data/.gitignore'), 'utf8')).toBe('/train.csv\n/images/\n');
    expect(JSON.parse(readFileSync(join(dir, 'data/images.mlship.json'), 'utf8')).manifest).toHaveProperty(['cats/tom.png']);

    const again = mlship(dir, 'data', 'add', 'data/images');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('git add data/images.mlship.json data/.gitignore');
    expect(again.stdout).toMatch(/data\/images\s+folder\s+2\s+12 B\s+[0-9a-f]{12}\s+0\s+2\s+0/);

    expect(mlship(dir, 'data', 'status').stdout).toMatch(/data\/images\s+clean[\s\S]*data\/train\.csv\s+clean/);
    writeFileSync(join(dir, 'data/images/cats/tom.png'), 'edited');
    rmSync(join(dir, 'data/train.csv'));
    const status = mlship(dir, 'data', 'status');
    expect(status.stdout).toMatch(/data\/images\s+modified/);
    expect(status.stdout).toMatch(/modified\s+cats\/tom\.png/);
    expect(status.stdout).toMatch(/data\/train\.csv\s+missing-workspace/);
    const json = JSON.parse(mlship(dir, 'data', 'status', 'data/images', '--json').stdout);
    expect(json[0].changes).toEqual([{ path: 'cats/tom.png', change: 'modified' }]);

    const refused = mlship(dir, 'data', 'checkout');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error [ALREADY_EXISTS]');
    expect(refused.stderr).toContain('--force');
    expect(mlship(dir, 'data', 'checkout', 'data/train.csv').status).toBe(0);
    expect(readFileSync(join(dir, 'data/train.csv'), 'utf8')).toBe('x,y\n1,2\n3,4\n');
    const forced = mlship(dir, 'data', 'checkout', '--force', '--json');
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'data/images/cats/tom.png'), 'utf8')).toBe('png-tom');

    const noRemote = mlship(dir, 'data', 'push');
    expect(noRemote.status).toBe(1);
    expect(noRemote.stderr).toContain('--remote');
    const remote = join(base, 'remote');
    const push = mlship(dir, 'data', 'push', '--remote', remote, '--json');
    expect(push.status).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ transferred: 3, skipped: 0, bytes: 12 + 5 + 7 });
    expect(mlship(dir, 'data', 'push', '--remote', remote).stdout).toContain('pushed 0 objects (0 B), 3 already there');

    const clone = join(base, 'clone');
    mkdirSync(join(clone, 'data'), { recursive: true });
    mkdirSync(join(clone, 'mlship'), { recursive: true });
    for (const f of ['data/train.csv.mlship.json', 'data/images.mlship.json', 'data/.gitignore']) cpSync(join(dir, f), join(clone, f));
    writeFileSync(join(clone, 'mlship/config.json'), JSON.stringify({ data: { remote } }));
    const pull = mlship(clone, 'data', 'pull');
    expect(pull.stderr).not.toContain('error [');
    expect(pull.status).toBe(0);
    expect(pull.stdout).toContain('fetched 3 objects');
    expect(readFileSync(join(clone, 'data/images/cats/tom.png'), 'utf8')).toBe('png-tom');
    expect(existsSync(join(clone, 'data/train.csv'))).toBe(true);
    expect(JSON.parse(mlship(clone, 'data', 'status', '--json').stdout).map((s: { status: string }) => s.status)).toEqual(['clean', 'clean']);
  });

  it('reports a missing path as a clean error', () => {
    const r = mlship(dir, 'data', 'add', 'nope.csv');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error [NOT_FOUND]');
    expect(r.stderr).toContain('nope.csv');
  });
});
