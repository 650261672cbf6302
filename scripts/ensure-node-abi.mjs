// better-sqlite3 is a native addon: it must be built for the runtime that loads it. `npm start` may have
// rebuilt it for Electron; tests and the CLI run on Node. Check it loads here, rebuild for Node if not.
// (Never `electron-builder install-app-deps` as a postinstall: on Node it silently builds Node's ABI and
// labels it Electron's; see docs/platform.md.)
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
function loads() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return null;
  } catch (err) {
    return err;
  }
}
const err = loads();
if (err) {
  if (
    !/NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF|cannot open shared object|Could not locate the bindings/.test(
      String(err.message),
    )
  ) {
    console.error(`hookwatch: better-sqlite3 does not load: ${err.message}`);
    process.exit(1);
  }
  console.error('hookwatch: better-sqlite3 was built for another runtime (Electron?); rebuilding it for Node…');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
