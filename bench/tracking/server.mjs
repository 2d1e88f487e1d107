// One mlship tracking server process for bench/tracking/run.mjs: listens on 127.0.0.1 (a free
// port), prints `listening <url>` once ready, and closes gracefully on SIGTERM.
//
//   node bench/tracking/server.mjs --tracking-uri sqlite:///tmp/x/mlship.db --artifact-root /tmp/x/artifacts
import { startServer } from '../../dist/serve/index.js';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const server = await startServer({ host: '127.0.0.1', port: Number(arg('--port') ?? 0), trackingUri: arg('--tracking-uri'), artifactRoot: arg('--artifact-root') });
process.stdout.write(`listening ${server.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
