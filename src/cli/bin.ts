#!/usr/bin/env node
// The `mlship` executable. `mlship server` starts from a small module graph (the server itself runs
// in a worker thread with capped heaps, and loading the training code as well would add ~25 MB to
// the process); every other command loads the whole CLI (main.ts).
import { quietOnClosedPipe } from './program.js';

const argv = process.argv.slice(2);
quietOnClosedPipe();
const cli: { run(argv: readonly string[]): Promise<number> } = argv[0] === 'server' ? await import('./server-cli.js') : await import('./main.js');
process.exitCode = await cli.run(argv);
