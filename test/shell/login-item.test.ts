// The Linux autostart entry's Exec line, read back the way the Desktop Entry spec says (generated paths); Electron is faked (not loaded at all).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, HIDDEN_ARG, LinuxAutostart, loginItemFor } from '../../main/shell/login-item.js';
import { tempDir } from '../support/harness.js';

/**
 * The Exec value as a desktop launcher reads it (Desktop Entry spec, "The Exec key" and "Possible value
 * types"): first the string escapes (\\s \\n \\t \\r \\\\), then the quoting (double quotes; inside, a
 * backslash escapes " ` $ \\), then `%%` is a literal `%` and any other `%x` is a field code.
 */
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\([sntr\\])/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
  if (/\\(?![sntr\\])/.test(value.replace(/\\[sntr\\]/g, ''))) throw new Error(`invalid string escape in ${value}`);
  const args: string[] = [];
  let i = 0;
  while (i < unescaped.length) {
    if (unescaped[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (unescaped[i] === '"') {
      i++;
      for (;;) {
        const c = unescaped[i++];
        if (c === undefined) throw new Error('unterminated quote');
        if (c === '"') break;
        if (c === '\\') {
          const n = unescaped[i++]!;
          if (!'"`$\\'.includes(n)) throw new Error(`bad escape \\${n} in quotes`);
          arg += n;
        } else arg += c;
      }
    } else {
      while (i < unescaped.length && unescaped[i] !== ' ') {
        const c = unescaped[i++]!;
        if (/[\t\n"'\\><~|&;$*?#()`=]/.test(c)) throw new Error(`reserved character ${JSON.stringify(c)} outside quotes`);
        arg += c;
      }
    }
    if (/%(?!%)/.test(arg.replace(/%%/g, ''))) throw new Error(`field code in ${arg}`);
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

const execLine = (entry: string) => /^Exec=(.*)$/m.exec(entry)![1]!;

const PIECES = [
  '%',
  '%%',
  '%u',
  ' ',
  '"',
  "'",
  '\\',
  '\\\\',
  '$HOME',
  '`id`',
  '=',
  '~',
  '#',
  '&',
  ';',
  '|',
  '<',
  '>',
  '*',
  '?',
  '(',
  ')',
  '\t',
  'é',
  'plain',
];

describe('Linux autostart entry (Electron is faked: not loaded)', () => {
  it('Electron is faked: an AppImage path with any reserved character or % reads back exactly as the path (generated)', () => {
    const paths: string[] = [];
    for (const a of PIECES) for (const b of PIECES) paths.push(`/home/me/Apps ${a}x${b}/Hookwatch${b}.AppImage`);
    for (const path of paths) {
      const entry = autostartDesktopEntry([path]);
      expect(parseExec(execLine(entry)), JSON.stringify(path)).toEqual([path, HIDDEN_ARG]);
    }
  });

  it('Electron is faked: keeps plain paths readable', () => {
    expect(execLine(autostartDesktopEntry(['/opt/Hookwatch/hookwatch']))).toBe(`/opt/Hookwatch/hookwatch ${HIDDEN_ARG}`);
    expect(execLine(autostartDesktopEntry(['/home/me/100%/Hookwatch.AppImage']))).toBe(`/home/me/100%%/Hookwatch.AppImage ${HIDDEN_ARG}`);
  });

  it('Electron is faked: refuses a path with a line break (it would end the Exec line and start a new key) and writes nothing', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'autostart/hookwatch.desktop');
      const item = loginItemFor({
        platform: 'linux',
        app: { getLoginItemSettings: () => ({ openAtLogin: false }), setLoginItemSettings: () => {} },
        env: { APPIMAGE: '/tmp/x\nExec=/bin/evil\n', XDG_CONFIG_HOME: tmp.dir },
      });
      expect(() => item.setEnabled(true)).toThrow(/line break.*move/i);
      expect(item.isEnabled()).toBe(false);
      expect(() => autostartDesktopEntry(['/tmp/a\rb'])).toThrow(/line break/);
      // A good path still works, and the entry is written readable by all (autostart files are not secret).
      new LinuxAutostart(file, ['/home/me/Hookwatch.AppImage']).setEnabled(true);
      expect(readFileSync(file, 'utf8')).toContain(`Exec=/home/me/Hookwatch.AppImage ${HIDDEN_ARG}\n`);
      expect(statSync(file).mode & 0o600).toBe(0o600);
    } finally {
      tmp.cleanup();
    }
  });
});
