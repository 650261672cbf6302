import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // Native addon (better-sqlite3) and real child processes: separate processes are the safe pool.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // electron-store imports the real `electron` package, which would try to download Electron (from the
    // internet) on first use; point it at a path that does not exist so it fails fast and offline.
    env: { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent/electron-dist' },
  },
});
