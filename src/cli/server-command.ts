import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from './io.js';
import { startIsolatedServer } from './server-supervisor.js';
import { portNumber, type SignalSource } from './options.js';

// `mlship server`: the tracking and registry HTTP server, until SIGINT or SIGTERM.

interface ServerCommandOptions {
  host: string;
  port: number;
  trackingUri?: string;
  registryUri?: string;
  artifactRoot?: string;
  log?: boolean;
  maxHeap?: number;
}

function heapMb(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 16) throw new InvalidArgumentError(`expected a heap size in MB of at least 16, got ${JSON.stringify(value)}`);
  return n;
}

export type { SignalSource } from './options.js';

/**
 * Runs the server until SIGINT or SIGTERM, then closes it gracefully (in-flight requests finish,
 * the stores are closed). Prints the URL on stdout once listening.
 *
 * @example
 * ```ts
 * await serve({ host: '127.0.0.1', port: 5000 }, processIo()); // returns after Ctrl+C
 * ```
 */
export async function serve(opts: ServerCommandOptions, io: CliIo, signals: SignalSource = process): Promise<void> {
  const server = await startIsolatedServer({
    host: opts.host,
    port: opts.port,
    trackingUri: opts.trackingUri,
    registryUri: opts.registryUri,
    artifactRoot: opts.artifactRoot,
    logger: opts.log === true,
    ...(opts.maxHeap !== undefined ? { maxHeapMb: opts.maxHeap } : {}),
  });
  io.stdout.write(`mlship server listening on ${server.url}\n`);
  io.stderr.write(`  mlship API   ${server.url}/api/v1  (OpenAPI: ${server.url}/api/v1/openapi.json)\n  MLflow API   ${server.url}/api/2.0/mlflow  (MLFLOW_TRACKING_URI=${server.url})\n  press Ctrl+C to stop\n`);
  let onInt = (): void => undefined;
  let onTerm = (): void => undefined;
  const signal = await Promise.race([
    new Promise<string>((resolveSignal) => {
      onInt = () => resolveSignal('SIGINT');
      onTerm = () => resolveSignal('SIGTERM');
      signals.once('SIGINT', onInt);
      signals.once('SIGTERM', onTerm);
    }),
    // The server died (out of memory, a crash): report it instead of waiting for a signal.
    server.exited.then(() => 'exit'),
  ]).finally(() => {
    signals.removeListener('SIGINT', onInt);
    signals.removeListener('SIGTERM', onTerm);
  });
  io.stderr.write(`mlship server: ${signal}, closing\n`);
  await server.close();
  io.stderr.write('mlship server: stopped\n');
}

/**
 * Adds `mlship server` to the program.
 *
 * @example
 * ```ts
 * addServerCommand(program, command, example, io);
 * ```
 */
export function addServerCommand(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  command(program, 'server')
    .description(
      "run the tracking and model registry HTTP server: mlship's REST API under /api/v1 (OpenAPI at /api/v1/openapi.json) and the MLflow REST API 2.0 subset under /api/2.0/mlflow, so MLflow clients can log to it. Stops gracefully on Ctrl+C (SIGINT) or SIGTERM",
    )
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface: there is no authentication, expose it only on a trusted network)', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', portNumber, 5000)
    .option('--tracking-uri <uri>', 'tracking store, e.g. sqlite:///data/mlship.db (default: $MLSHIP_TRACKING_URI, else sqlite:mlship/mlship.db)')
    .option('--registry-uri <uri>', 'model registry store (default: the tracking URI)')
    .option('--artifact-root <dir>', 'root folder of run artifacts and registered model copies (default: <folder of the database>/artifacts)')
    .option('--log', 'log every request as a JSON line on stdout (off by default: it costs throughput)')
    .option('--max-heap <mb>', 'heap limit of the server, in MB: the server runs in a worker thread whose heap is capped, so it stays compact; a request that would exceed it fails', heapMb, 512)
    .addHelpText(
      'after',
      example(`mlship server
               mlship server --host 127.0.0.1 --port 5000 --tracking-uri sqlite:///data/mlship/mlship.db --artifact-root /data/mlship/artifacts
               MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py   # an MLflow script logging to mlship`),
    )
    .action(async (opts: ServerCommandOptions) => serve(opts, io));
}
