/**
 * Declarative pipelines (DVC-style): the `mlship.yaml` format, its validation and its graph.
 *
 * ```yaml
 * # mlship.yaml
 * stages:
 *   prepare:
 *     desc: split the raw data
 *     cmd: node prepare.mjs            # run with a shell in the folder of mlship.yaml
 *     deps: [data/raw.csv, prepare.mjs] # files or folders it reads
 *     params: [prepare.split]           # dotted keys into params.yaml
 *     outs: [data/train.csv, data/test.csv]
 *   train:
 *     cmd: node train.mjs
 *     deps: [data/train.csv, train.mjs]
 *     params: [train.alpha]
 *     outs: [model.json]
 *     metrics: [metrics.json]           # JSON outputs whose numbers are logged as metrics
 * ```
 *
 * A stage depends on the stages whose `outs` (or `metrics`) it lists in `deps`, so the file
 * orders itself: stages run in the order of that graph, independent ones concurrently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { MlshipError } from '../core/index.js';

/** The default pipeline file name. @example `import { PIPELINE_FILE } from 'mlship/flow'; // 'mlship.yaml'` */
export const PIPELINE_FILE = 'mlship.yaml';
/** The params file next to the pipeline file. @example `import { PARAMS_FILE } from 'mlship/flow'; // 'params.yaml'` */
export const PARAMS_FILE = 'params.yaml';
/** The lock file next to the pipeline file. @example `import { LOCK_FILE } from 'mlship/flow'; // 'mlship.lock'` */
export const LOCK_FILE = 'mlship.lock';

const STAGE_KEYS = ['cmd', 'deps', 'outs', 'params', 'metrics', 'desc'] as const;
const STAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * One stage of a pipeline, as loaded: paths are relative to the pipeline's folder, normalised
 * with `/`.
 *
 * @example
 * ```ts
 * import { loadPipeline } from 'mlship/flow';
 * const { stages } = loadPipeline('mlship.yaml');
 * for (const s of stages) console.log(s.name, s.cmd, s.deps, s.outs);
 * ```
 */
export interface PipelineStage {
  /** The stage's name (its key under `stages`). */
  name: string;
  /** The shell command. */
  cmd: string;
  /** The files or folders it reads. */
  deps: string[];
  /** The files or folders it writes. */
  outs: string[];
  /** Dotted keys into the params file whose values it uses. */
  params: string[];
  /** JSON files it writes whose numbers are logged as metrics (outputs too). */
  metrics: string[];
  /** A description. */
  desc: string | undefined;
  /** The stages it depends on (whose outputs it reads), in file order. */
  upstream: string[];
}

/**
 * A loaded and validated pipeline.
 *
 * @example
 * ```ts
 * import { loadPipeline } from 'mlship/flow';
 * const p = loadPipeline('mlship.yaml');
 * console.log(p.dir, p.order);   // the folder, and the stage names in run order
 * ```
 */
export interface Pipeline {
  /** The absolute path of the pipeline file. */
  file: string;
  /** Its folder, where commands run and paths are relative to. */
  dir: string;
  /** The stages in file order. */
  stages: PipelineStage[];
  /** Stage names in a run order (every stage after its upstream, else file order). */
  order: string[];
  /** The params file's content (`{}` when it does not exist). */
  params: Record<string, unknown>;
  /** The absolute path of the params file. */
  paramsFile: string;
}

function fail(file: string, where: string, message: string, details: Record<string, unknown> = {}): never {
  throw new MlshipError('INVALID_ARGUMENT', `${file}: ${where}${message}`, { file, ...details });
}

function readYaml(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MlshipError('NOT_FOUND', `${what} ${file} not found: ${(err as Error).message}; create it or pass its path with --file`, { file }, { cause: err });
  }
  try {
    return parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0].line;
      throw new MlshipError('PARSE_ERROR', `${file}${line ? `:${line}` : ''}: invalid YAML: ${err.message.split('\n')[0]}`, { file, line }, { cause: err });
    }
    throw err;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function normPath(p: string): string {
  return normalize(p).split(sep).join('/').replace(/\/+$/, '');
}

function stringList(file: string, stage: string, field: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
    fail(file, `stage '${stage}': `, `${field} must be a list of non-empty strings, got ${JSON.stringify(v)}`, { stage, field });
  }
  return v as string[];
}

/**
 * The value of a dotted key (`train.alpha`) in a params object, or `undefined`.
 *
 * @example
 * ```ts
 * import { paramValue } from 'mlship/flow';
 * paramValue({ train: { alpha: 0.1 } }, 'train.alpha'); // 0.1
 * ```
 */
export function paramValue(params: Record<string, unknown>, key: string): unknown {
  let cur: unknown = params;
  for (const part of key.split('.')) {
    if (!isMap(cur) || !(part in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Whether path `a` is `b` or inside it, or `b` inside `a`. @internal */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Reads and validates a pipeline file (`mlship.yaml`) and its params file (`params.yaml` in the
 * same folder). Throws NOT_FOUND when the file is missing, PARSE_ERROR for invalid YAML, and
 * INVALID_ARGUMENT naming the file, stage and field for: unknown keys, a missing or empty `cmd`,
 * a field of the wrong type, a dep that no stage produces and that does not exist, an unknown
 * param key, two stages writing one output, and a cycle (named, e.g. `a -> b -> a`).
 *
 * @param path - the pipeline file, or a folder holding `mlship.yaml`.
 *
 * @example
 * ```ts
 * import { loadPipeline } from 'mlship/flow';
 * const pipeline = loadPipeline('mlship.yaml');
 * console.log(pipeline.order); // ['prepare', 'train', 'evaluate']
 * ```
 */
export function loadPipeline(path: string = PIPELINE_FILE): Pipeline {
  let file = resolve(path);
  if (existsSync(file) && !file.endsWith('.yaml') && !file.endsWith('.yml') && existsSync(join(file, PIPELINE_FILE))) file = join(file, PIPELINE_FILE);
  const dir = dirname(file);
  const doc = readYaml(file, 'pipeline file');
  if (!isMap(doc)) fail(file, '', `the file must be a mapping with a 'stages' key, got ${doc === null ? 'an empty file' : JSON.stringify(doc)}`);
  for (const key of Object.keys(doc)) if (key !== 'stages') fail(file, '', `unknown top-level key '${key}': the only top-level key is 'stages'`, { field: key });
  const raw = doc.stages;
  if (!isMap(raw) || Object.keys(raw).length === 0) fail(file, '', `'stages' must be a mapping of stage names to stages, with at least one stage`, { field: 'stages' });

  const paramsFile = join(dir, PARAMS_FILE);
  let params: Record<string, unknown> = {};
  let paramsLoaded = false;
  const loadParams = (): Record<string, unknown> => {
    if (paramsLoaded) return params;
    paramsLoaded = true;
    if (!existsSync(paramsFile)) return params;
    const p = readYaml(paramsFile, 'params file');
    if (p !== null && p !== undefined && !isMap(p)) fail(paramsFile, '', 'the params file must be a mapping of names to values');
    params = (p ?? {}) as Record<string, unknown>;
    return params;
  };

  const stages: PipelineStage[] = [];
  for (const [name, s] of Object.entries(raw)) {
    if (!STAGE_NAME.test(name)) fail(file, '', `stage name '${name}' must be letters, digits, '_', '.' or '-' (not starting with '.' or '-')`, { stage: name });
    if (!isMap(s)) fail(file, `stage '${name}': `, `a stage must be a mapping with at least 'cmd', got ${JSON.stringify(s)}`, { stage: name });
    for (const key of Object.keys(s)) {
      if (!(STAGE_KEYS as readonly string[]).includes(key)) fail(file, `stage '${name}': `, `unknown key '${key}'; a stage has ${STAGE_KEYS.join(', ')}`, { stage: name, field: key });
    }
    if (s.cmd === undefined || s.cmd === null) fail(file, `stage '${name}': `, `missing 'cmd': give the shell command that runs the stage`, { stage: name, field: 'cmd' });
    if (typeof s.cmd !== 'string' || s.cmd.trim() === '') fail(file, `stage '${name}': `, `cmd must be a non-empty string, got ${JSON.stringify(s.cmd)}`, { stage: name, field: 'cmd' });
    if (s.desc !== undefined && s.desc !== null && typeof s.desc !== 'string') fail(file, `stage '${name}': `, `desc must be a string, got ${JSON.stringify(s.desc)}`, { stage: name, field: 'desc' });
    const paths = (field: string): string[] =>
      stringList(file, name, field, s[field]).map((p) => {
        const n = normPath(isAbsolute(p) ? relative(dir, p) : p);
        if (n === '.' || n === '') fail(file, `stage '${name}': `, `${field} may not list the pipeline folder itself`, { stage: name, field });
        return n;
      });
    const stage: PipelineStage = {
      name,
      cmd: s.cmd,
      deps: paths('deps'),
      outs: paths('outs'),
      params: stringList(file, name, 'params', s.params),
      metrics: paths('metrics'),
      desc: typeof s.desc === 'string' ? s.desc : undefined,
      upstream: [],
    };
    for (const key of stage.params) {
      if (paramValue(loadParams(), key) === undefined) {
        fail(file, `stage '${name}': `, `param '${key}' is not in ${paramsFile}${existsSync(paramsFile) ? '' : ' (the file does not exist)'}; add it there or remove it from params`, { stage: name, field: 'params', value: key });
      }
    }
    stages.push(stage);
  }
  loadParams();

  // one writer per output
  const writer = new Map<string, string>();
  for (const s of stages) {
    for (const out of [...s.outs, ...s.metrics]) {
      for (const [other, by] of writer) {
        if (overlaps(out, other)) {
          fail(file, `stage '${s.name}': `, `output '${out}' is also written by stage '${by}'${other === out ? '' : ` (as '${other}')`}; each output must have one stage`, { stage: s.name, field: 'outs', value: out, otherStage: by });
        }
      }
      writer.set(out, s.name);
    }
  }
  // deps: produced by a stage, or existing
  for (const s of stages) {
    for (const dep of s.deps) {
      const producers = [...writer].filter(([out]) => overlaps(dep, out)).map(([, by]) => by);
      for (const p of producers) if (!s.upstream.includes(p)) s.upstream.push(p);
      if (producers.length === 0 && !existsSync(join(dir, dep))) {
        fail(file, `stage '${s.name}': `, `dep '${dep}' does not exist and no stage lists it in outs; create it or add the stage that writes it`, { stage: s.name, field: 'deps', value: dep });
      }
    }
  }
  const byName = new Map(stages.map((s) => [s.name, s]));
  // cycles (a stage reading its own output is a cycle of one)
  const color = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    color.set(n, 1);
    stack.push(n);
    for (const u of byName.get(n)!.upstream) {
      const c = color.get(u) ?? 0;
      if (c === 1) {
        // stack runs downstream -> upstream; print the cycle in data-flow order
        const cycle = [...stack.slice(stack.indexOf(u)), u].reverse();
        fail(file, '', `the stages form a cycle: ${cycle.join(' -> ')} (each stage's outs are deps of the next); break it by removing a dep or an out`, { cycle });
      }
      if (c === 0) visit(u);
    }
    stack.pop();
    color.set(n, 2);
  };
  for (const s of stages) if ((color.get(s.name) ?? 0) === 0) visit(s.name);

  // run order: Kahn's algorithm, ties in file order
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < stages.length) {
    const next = stages.find((s) => !done.has(s.name) && s.upstream.every((u) => done.has(u)))!;
    done.add(next.name);
    order.push(next.name);
  }
  return { file, dir, stages: order.map((n) => byName.get(n)!), order, params, paramsFile };
}

/**
 * The stages needed to run `targets`: the targets and everything upstream of them, in run order.
 * Throws NOT_FOUND naming an unknown stage and the stages there are.
 *
 * @example
 * ```ts
 * import { loadPipeline, selectStages } from 'mlship/flow';
 * selectStages(loadPipeline(), ['train']); // ['prepare', 'train']
 * ```
 */
export function selectStages(pipeline: Pipeline, targets: readonly string[]): string[] {
  if (targets.length === 0) return [...pipeline.order];
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const need = new Set<string>();
  const add = (n: string): void => {
    if (need.has(n)) return;
    need.add(n);
    for (const u of byName.get(n)!.upstream) add(u);
  };
  for (const t of targets) {
    if (!byName.has(t)) throw new MlshipError('NOT_FOUND', `no stage '${t}' in ${pipeline.file}; its stages are: ${pipeline.order.join(', ')}`, { file: pipeline.file, stage: t });
    add(t);
  }
  return pipeline.order.filter((n) => need.has(n));
}

/**
 * The graph as text: the stages in run order, each with its command, the stages it follows and
 * its deps and outs.
 *
 * @example
 * ```ts
 * import { loadPipeline, pipelineText } from 'mlship/flow';
 * console.log(pipelineText(loadPipeline('mlship.yaml')));
 * ```
 */
export function pipelineText(pipeline: Pipeline): string {
  const lines: string[] = [];
  pipeline.stages.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.name}${s.upstream.length > 0 ? `  (after ${s.upstream.join(', ')})` : ''}${s.desc ? `  # ${s.desc}` : ''}`);
    lines.push(`     cmd:     ${s.cmd}`);
    if (s.deps.length > 0) lines.push(`     deps:    ${s.deps.join(', ')}`);
    if (s.params.length > 0) lines.push(`     params:  ${s.params.join(', ')}`);
    if (s.outs.length > 0) lines.push(`     outs:    ${s.outs.join(', ')}`);
    if (s.metrics.length > 0) lines.push(`     metrics: ${s.metrics.join(', ')}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The graph in Graphviz DOT: one node per stage, an edge from each stage to the stages that read
 * its outputs, labelled with the paths. Render with `dot -Tsvg`.
 *
 * @example
 * ```ts
 * import { loadPipeline, pipelineDot } from 'mlship/flow';
 * console.log(pipelineDot(loadPipeline('mlship.yaml'))); // digraph pipeline { ... }
 * ```
 */
export function pipelineDot(pipeline: Pipeline): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const s of pipeline.stages) lines.push(`  ${q(s.name)};`);
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  for (const s of pipeline.stages) {
    for (const u of s.upstream) {
      const up = byName.get(u)!;
      const paths = s.deps.filter((d) => [...up.outs, ...up.metrics].some((o) => overlaps(d, o)));
      lines.push(`  ${q(u)} -> ${q(s.name)} [label=${q(paths.join(', '))}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
