// Entry point of the hookwatch command (bin/hookwatch.js loads it).
import { runCli } from './main.js';

// The process entry: real stdout/stderr and signals. SIGINT/SIGTERM ask `serve` to stop cleanly;
// a second one forces the exit.
const stopSignal = new Promise<string>((resolve) => {
  // Only `serve` and `catch-up` (which keeps its checkpoint) stop on request; other commands end at once on Ctrl-C.
  if (process.argv[2] !== 'serve' && process.argv[2] !== 'catch-up') return;
  let asked = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (asked) process.exit(130);
      asked = true;
      resolve(sig);
    });
  }
});

// `hookwatch events | head` closes the pipe early: that is the reader's choice, not an error to report.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  stopSignal,
});
// No process.exit(): it can cut off output still queued for a pipe. Nothing else keeps the loop alive.
process.exitCode = code;
