// `npm start`: run the desktop app. Makes sure better-sqlite3 is built for Electron's ABI first
// (node_modules stays on Node's ABI after install so tests and the CLI work; see docs/platform.md).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
// Electron >= 42 fetches its binary on first use, from GitHub. Ask for its path in a child process so
// a failed download is one clear message here, not the downloader's stack trace.
if (!existsSync(new URL('../node_modules/electron/path.txt', import.meta.url))) {
  console.error('hookwatch: fetching the Electron binary (first start only)…');
}
const resolved = spawnSync(process.execPath, ['-e', "process.stdout.write('\\n' + require('electron'))"], { encoding: 'utf8' });
// The downloader may print progress on stdout first: the path is the last line.
const electronPath = resolved.status === 0 ? (resolved.stdout.trim().split('\n').pop() ?? '').trim() : '';
if (!electronPath) {
  const reason = (resolved.stderr || '').split('\n').find((l) => /Error|ENOTFOUND|fetch failed/.test(l)) ?? 'the download failed';
  console.error(
    `hookwatch: the Electron binary is not available (${reason.trim()}).\n` +
      'It is downloaded on first start and needs internet access. Everything Hookwatch does also runs\n' +
      'without Electron: `npx hookwatch serve` (receiver, tunnel, storage, and the dashboard in your browser).',
  );
  process.exit(1);
}

const probe = spawnSync(electronPath, ['-e', "require('better-sqlite3')(':memory:').close()"], {
  env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  encoding: 'utf8',
});
if (probe.status !== 0) {
  console.error('hookwatch: rebuilding better-sqlite3 for Electron…');
  execFileSync(process.execPath, [require.resolve('@electron/rebuild/lib/cli.js'), '--force', '--only', 'better-sqlite3'], {
    stdio: 'inherit',
  });
}

// Arguments after `npm start --` go to the app (say `--hidden`, to start in the tray as at login).
const child = spawn(electronPath, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches Electron through the terminal; a SIGTERM to this script is passed on, so the app can
// finish its writes (it quits cleanly on both).
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
