import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { readModelMetadata } from '../model/index.js';
import { MAX_PARAM_VALUE_LENGTH, type ModelVersion, type PromotionResult } from '../tracking/index.js';
import { saveProfile, type ReferenceProfile } from '../monitor/index.js';
import type { CliIo } from './io.js';
import { trackingUriOf, withClient } from './tracking-commands.js';

// Recording what the training commands do as tracked runs: one parent run per command (active
// while the data is read, so versioned datasets are captured automatically) and one nested run per
// model package, with its params, test metrics, dataset input and the package as the run's `model`
// artifact (so `runs:/<id>/model` and `mlship models register` work on it).

/** The tracking options of the training commands. */
export interface TrackOptions {
  /** `--no-track` sets false. @default true */
  track?: boolean;
  experiment?: string;
  trackingUri?: string;
  /** Register the (best) model package under this registered model name. */
  register?: string;
}

/** The default experiment of a training command: the dataset's name (a file's name without its extension). */
export function datasetExperiment(source: string): string {
  const base = basename(source.replace(/[/\\]+$/, ''));
  return base.replace(/\.(csv|tsv|jsonl|json|parquet|txt)$/i, '') || 'Default';
}

/** Adds `--experiment`, `--no-track`, `--tracking-uri` (and `--register` when asked) to a training command. */
export function trackOptions(cmd: Command, register = true): Command {
  cmd
    .option('--experiment <name>', "the experiment to record the runs in, created if missing (default: the dataset's name)")
    .option('--no-track', 'do not record runs in the tracking store')
    .option('--tracking-uri <uri>', 'the tracking store (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)');
  if (register) cmd.option('--register <name>', 'register the model package (the best one, when several) as a new version of this registered model');
  return cmd;
}

/** What one command trained: the dataset and the saved model packages. */
export interface TrainedPackages {
  dataset: { name: string; digest: string; rows: number; source: string };
  /**
   * Saved packages; `score` ranks them for `--register` (higher is better). `profile` builds the
   * package's reference profile (held-out data), saved as `reference-profile.json` of its run.
   */
  packages: { name: string; path: string; fitSeconds: number; score: number; profile?: () => ReferenceProfile }[];
}

/** The runs a command recorded. */
export interface RecordedRuns {
  experiment: string;
  parentRunId: string;
  runs: { name: string; runId: string }[];
  registered: ModelVersion | null;
  /** The gated promotion of the registered version to @champion, when the command asked for one. */
  promotion: PromotionResult | null;
}

function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Runs `work` inside a tracked parent run (unless `--no-track`) and records one nested run per
 * saved model package. Returns what `work` returned and the recorded runs (null when not tracked).
 */
export async function trackCommand<T extends TrainedPackages>(io: CliIo, opts: TrackOptions, spec: { runName: string; command: string; experiment: string; register?: string; promoteOn?: string }, work: () => Promise<T>): Promise<{ result: T; tracked: RecordedRuns | null }> {
  if (opts.track === false) return { result: await work(), tracked: null };
  const experiment = opts.experiment ?? spec.experiment;
  return withClient({ trackingUri: trackingUriOf(opts, io) }, io, async (client) => {
    let tracked: RecordedRuns | null = null;
    const result = await client.withRun({ experimentName: experiment, runName: spec.runName, tags: { 'mlship.command': spec.command } }, async (parent) => {
      const out = await work();
      const input = { name: out.dataset.name, digest: out.dataset.digest, source: out.dataset.source, rowCount: out.dataset.rows, context: 'training' };
      await parent.logInputs([input]);
      // The parent was active while the data was read: versioned files it read are among its
      // inputs (captured with their pointer's hash); every model run records them too.
      await parent.flush();
      const inputs = (await client.tracking.getRun(parent.runId)).inputs;
      await parent.logParams({ dataset: out.dataset.source, models: out.packages.map((p) => p.name).join(',') });
      const runs: { name: string; runId: string }[] = [];
      for (const pkg of out.packages) {
        const meta = await readModelMetadata(pkg.path);
        const child = await client.startRun({ experimentName: experiment, runName: pkg.name, nested: true, tags: { 'mlship.command': spec.command, estimator: meta.estimator, ...meta.tags } });
        try {
          const params: Record<string, string> = {};
          for (const [k, v] of Object.entries(meta.params)) {
            const text = paramText(v);
            if (text.length <= MAX_PARAM_VALUE_LENGTH) params[k] = text;
          }
          await child.logParams(params);
          await child.logMetrics({ ...meta.metrics, fit_seconds: pkg.fitSeconds });
          await child.logInputs(inputs);
          await child.writeArtifact('model/model.mlship', await readFile(pkg.path));
          if (pkg.profile) {
            // A model without a profile still trains; monitoring then says how to create one.
            try {
              await saveProfile(client, child.runId, pkg.profile());
            } catch (err) {
              io.stderr.write(`warning: no reference profile saved for ${pkg.name}: ${(err as Error).message}; create one later with \`mlship monitor profile create\`\n`);
            }
          }
          await child.end('FINISHED');
        } catch (err) {
          await child.end('FAILED').catch(() => undefined);
          throw err;
        }
        runs.push({ name: pkg.name, runId: child.runId });
      }
      let registered: ModelVersion | null = null;
      let promotion: PromotionResult | null = null;
      const registerAs = opts.register ?? spec.register;
      if (registerAs) {
        let best = 0;
        for (let i = 1; i < out.packages.length; i++) if (out.packages[i]!.score > out.packages[best]!.score) best = i;
        registered = await client.registerModel(`runs:/${runs[best]!.runId}/model`, registerAs, { description: `${out.packages[best]!.name} from \`mlship ${spec.command}\`` });
        if (spec.promoteOn) promotion = await client.promote(registerAs, registered.version, { metric: spec.promoteOn, reason: `mlship ${spec.command}` });
      }
      tracked = { experiment, parentRunId: parent.runId, runs, registered, promotion };
      return out;
    });
    return { result, tracked };
  });
}

/** The lines a command prints about the runs it recorded. */
export function renderTracked(t: RecordedRuns | null): string {
  if (!t) return '';
  let out = `\ntracked in experiment '${t.experiment}': run ${t.parentRunId} with ${t.runs.length} model run(s)\n`;
  for (const r of t.runs) out += `  ${r.name.padEnd(16)} runs:/${r.runId}/model\n`;
  if (t.registered) out += `registered ${t.registered.name} v${t.registered.version}: models:/${t.registered.name}/${t.registered.version}\n`;
  if (t.promotion) out += `${t.promotion.promoted ? 'promoted' : 'not promoted'}: ${t.promotion.message}\n`;
  out += `see them with: mlship runs list --experiment ${JSON.stringify(t.experiment)}\n`;
  return out;
}
