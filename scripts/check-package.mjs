#!/usr/bin/env node
// Packages the desktop app the only way that works offline (docs/platform.md): electron-builder --dir for
// Linux, against a stub Electron distribution and without rebuilding native modules, into a temporary
// folder. Then it checks the packaged file list:
//   - app.asar holds package.json, dist/main, dist/preload, dist/renderer and the tray pictures;
//   - no tests, benchmarks, TypeScript sources or source maps of ours, no better-sqlite3 C sources;
//   - better-sqlite3's addon is in app.asar.unpacked (an addon cannot load from inside an archive);
//   - package.json's `main` is in the archive.
// It prints what it found; `--json` prints it as JSON instead. Exit status 0 when every check passed.
//
// Needs `npm run build` first (it packages what is in dist/). Runs in about 5 to 15 seconds.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const require = createRequire(join(ROOT, 'package.json'));
const asJson = process.argv.includes('--json');
const keep = process.argv.includes('--keep');

const ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

function fail(message) {
  if (asJson) process.stdout.write(JSON.stringify({ ok: false, error: message }) + '\n');
  else process.stderr.write(`check-package: ${message}\n`);
  process.exit(1);
}

for (const built of ['dist/main/shell/main.js', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
  if (!existsSync(join(ROOT, built))) fail(`${built} is missing: run \`npm run build\` first (this checks the built app)`);
}
if (!existsSync(join(ROOT, ADDON))) fail(`${ADDON} is missing: run \`npm ci\` (it compiles better-sqlite3)`);

const work = mkdtempSync(join(tmpdir(), 'hookwatch-package-'));
const stub = join(work, 'electron-stub');
const out = join(work, 'out');
mkdirSync(stub);
// electron-builder copies this folder as "the Electron distribution" and renames the `electron` binary.
// The stub carries a fuse wire like a real Electron's (the sentinel, version 1, eight fuses in Electron's
// default states), so electron-builder flips the fuses of electron-builder.yml in it and they can be read back.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULT_WIRE = '10110001'; // RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, V8 snapshot off, file:// privileges on
writeFileSync(
  join(stub, 'electron'),
  Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n# '),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]),
    Buffer.from(ELECTRON_DEFAULT_WIRE),
    Buffer.from('\n'),
  ]),
);
chmodSync(join(stub, 'electron'), 0o755);

const cli = require.resolve('electron-builder/cli.js');
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    cli,
    '--dir',
    '--linux',
    '--x64',
    '--config',
    'electron-builder.yml',
    `-c.electronDist=${stub}`,
    '-c.npmRebuild=false',
    `-c.directories.output=${out}`,
  ],
  { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, timeout: 300_000 },
);
const seconds = Math.round((Date.now() - started) / 100) / 10;
if (run.status !== 0) {
  if (!keep) rmSync(work, { recursive: true, force: true });
  fail(`electron-builder failed (status ${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
}

const resources = join(out, 'linux-unpacked', 'resources');
const asarPath = join(resources, 'app.asar');
const asar = require('@electron/asar');
const entries = asar.listPackage(asarPath, { isPack: false }).map((p) => p.replace(/\\/g, '/'));
const files = entries.filter((p) => {
  try {
    return !asar.statFile(asarPath, p.slice(1)).files;
  } catch {
    return false;
  }
});
const unpackedDir = join(resources, 'app.asar.unpacked');
const unpacked = [];
(function walk(dir, rel) {
  if (!existsSync(dir)) return;
  for (const name of require('node:fs').readdirSync(dir)) {
    const p = join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(p).isDirectory()) walk(p, r);
    else unpacked.push(r);
  }
})(unpackedDir, '');

const has = (path) => files.includes(`/${path}`);
const under = (prefix) => files.filter((f) => f.startsWith(`/${prefix}`));
const ours = files.filter((f) => !f.startsWith('/node_modules/'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const checks = [];
const check = (name, ok, detail = '') => checks.push({ name, ok: Boolean(ok), detail });

check('package.json in app.asar', has('package.json'));
check(`package.json main (${pkg.main}) in app.asar`, has(pkg.main));
check('dist/main in app.asar', under('dist/main/').length > 0, `${under('dist/main/').length} files`);
check('the shell entry dist/main/shell/main.js', has('dist/main/shell/main.js'));
check('dist/preload/index.cjs in app.asar', has('dist/preload/index.cjs'));
check('dist/renderer/index.html in app.asar', has('dist/renderer/index.html'), `${under('dist/renderer/').length} files`);
check(
  'tray pictures in app.asar',
  ['ok', 'degraded', 'down'].every(
    (l) => has(`assets/tray/tray-${l}-light.png`) && has(`assets/tray/tray-${l}-dark.png`) && has(`assets/tray/tray-${l}Template.png`),
  ),
  `${under('assets/tray/').length} files`,
);
const tests = ours.filter((f) => /^\/(test|tests|bench)\//.test(f) || /\.test\.[cm]?[jt]sx?$/.test(f));
check('no tests or benchmarks', tests.length === 0, tests.slice(0, 5).join(', '));
const sources = files.filter((f) => /\.(ts|tsx|cts|mts)$/.test(f) && !/\.d\.[cm]?ts$/.test(f));
check('no TypeScript sources', sources.length === 0, sources.slice(0, 5).join(', '));
const maps = ours.filter((f) => f.endsWith('.map'));
check('no source maps of ours', maps.length === 0, maps.slice(0, 5).join(', '));
const stray = ours.filter((f) => !/^\/(package\.json$|dist\/(main|preload|renderer)\/|assets\/(tray|app)\/)/.test(f));
check('nothing else of ours (sources, docs, scripts, data)', stray.length === 0, stray.slice(0, 5).join(', '));
check('better-sqlite3 addon in app.asar.unpacked', unpacked.includes(ADDON));
check(
  'better-sqlite3 addon not left inside app.asar',
  !files.includes(`/${ADDON}`) ||
    (() => {
      try {
        return asar.statFile(asarPath, ADDON).unpacked === true;
      } catch {
        return false;
      }
    })(),
);
const sqliteSources = [...files, ...unpacked.map((u) => `/${u}`)].filter(
  (f) => /\/better-sqlite3\/(src|deps)\//.test(f) || /better-sqlite3\/build\/Release\/obj/.test(f),
);
check('no better-sqlite3 C sources or build leftovers', sqliteSources.length === 0, `${sqliteSources.length} files`);

// The fuses electron-builder.yml asks for, read back from the packaged binary.
const HARDENED = {
  RunAsNode: 'DISABLE',
  EnableCookieEncryption: 'ENABLE',
  EnableNodeOptionsEnvironmentVariable: 'DISABLE',
  EnableNodeCliInspectArguments: 'DISABLE',
  EnableEmbeddedAsarIntegrityValidation: 'ENABLE',
  OnlyLoadAppFromAsar: 'ENABLE',
  GrantFileProtocolExtraPrivileges: 'DISABLE',
};
const fuses = {};
try {
  const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
  const { FuseState } = require('@electron/fuses/dist/constants.js');
  const wire = await getCurrentFuseWire(join(out, 'linux-unpacked', 'hookwatch'));
  for (const [name, want] of Object.entries(HARDENED)) fuses[name] = { want, got: FuseState[wire[FuseV1Options[name]]] ?? 'missing' };
} catch (err) {
  check('Electron fuses readable in the packaged binary', false, err.message);
}
for (const [name, { want, got }] of Object.entries(fuses))
  check(`fuse ${name} ${want === 'ENABLE' ? 'on' : 'off'}`, got === want, got === want ? '' : `is ${got}`);

const size = (p) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};
const unpackedBytes = unpacked.reduce((n, u) => n + size(join(unpackedDir, u)), 0);
const modules = [
  ...new Set(
    files
      .filter((f) => f.startsWith('/node_modules/'))
      .map((f) =>
        f
          .split('/')
          .slice(2, f.split('/')[2]?.startsWith('@') ? 4 : 3)
          .join('/'),
      ),
  ),
].sort();

const report = {
  ok: checks.every((c) => c.ok),
  seconds,
  asar: { path: 'resources/app.asar', bytes: size(asarPath), files: files.length, ours: ours.length, modules },
  unpacked: { files: unpacked, bytes: unpackedBytes },
  ours: ours.sort(),
  fuses,
  checks,
};
if (!keep) rmSync(work, { recursive: true, force: true });

if (asJson) {
  process.stdout.write(JSON.stringify(report) + '\n');
} else {
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const lines = [
    `electron-builder --dir --linux (stub Electron, no rebuild): ${seconds} s${keep ? `, kept in ${work}` : ''}`,
    `app.asar: ${files.length} files, ${mib(report.asar.bytes)}; ours: ${ours.length} (${under('dist/main/').length} main, ${under('dist/preload/').length} preload, ${under('dist/renderer/').length} renderer, ${under('assets/').length} pictures, package.json)`,
    `node_modules in app.asar: ${modules.length} packages: ${modules.join(', ')}`,
    `app.asar.unpacked: ${unpacked.length} files, ${mib(unpackedBytes)}: ${unpacked.join(', ')}`,
    '',
    ...checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` (${c.detail})` : ''}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
process.exit(report.ok ? 0 : 1);
