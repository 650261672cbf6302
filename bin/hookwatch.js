#!/usr/bin/env node
// The `hookwatch` command. The TypeScript is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/core/cli/run.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('hookwatch: not built yet; run `npm run build` in the hookwatch folder first\n');
  process.exit(1);
}
await import(entry.href);
