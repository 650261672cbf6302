// The CLI's table layout (main/core/cli/format.ts): which column gives way first when the terminal is narrow.
import { describe, expect, it } from 'vitest';
import { shortAccount, table, withoutYear } from '../../main/core/cli/format.js';

const HEADERS = ['ID', 'TIME', 'TYPE', 'NOTE'];
const ROWS = [
  ['1', '2026-11-30 12:03:04', 'whatsapp:account:disconnected', 'the number went offline while the laptop slept'],
  ['22', '2026-11-30 12:04:05', 'message:received:new', 'hi'],
];
const cells = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));

describe('table(): the free text gives first', () => {
  it('fits as it is when it can: nothing cut, nothing compacted', () => {
    const out = table(HEADERS, ROWS, 200, { fixed: [0, 1], keep: [2], compact: { 1: withoutYear } });
    expect(cells(out)[1]).toEqual(ROWS[0]);
  });

  it('narrow: the time loses its year, the note is cut with an ellipsis, the type stays whole', () => {
    const out = table(HEADERS, ROWS, 70, { fixed: [0, 1], keep: [2], compact: { 1: withoutYear } });
    for (const l of out.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(70);
    const [, first, second] = cells(out);
    expect(first!.slice(0, 3)).toEqual(['1', '11-30 12:03:04', 'whatsapp:account:disconnected']);
    expect(first![3]).toMatch(/^the number .*…$/);
    expect(second).toEqual(['22', '11-30 12:04:05', 'message:received:new', 'hi']);
  });

  it('free-text columns give in their order: the first down to 12 characters before the second gives any', () => {
    const rows = [['a'.repeat(30), 'b'.repeat(30)]];
    const [a, b] = cells(table(['FIRST', 'SECOND'], rows, 50, { cut: [1, 0] }))[1]!;
    expect([a, b]).toEqual(['a'.repeat(30), `${'b'.repeat(17)}…`]);
    const [c, d] = cells(table(['FIRST', 'SECOND'], rows, 40, { cut: [1, 0] }))[1]!;
    expect([c, d]).toEqual([`${'a'.repeat(25)}…`, `${'b'.repeat(11)}…`]);
  });

  it('an optional column is left out before the free text goes below 12 characters', () => {
    const rows = [['12345', 'in', 'x'.repeat(40)]];
    const wide = cells(table(['ID', 'DIR', 'TEXT'], rows, 60, { fixed: [0, 1], optional: [1] }));
    expect(wide[0]).toEqual(['ID', 'DIR', 'TEXT']);
    const narrow = table(['ID', 'DIR', 'TEXT'], rows, 20, { fixed: [0, 1], optional: [1] });
    expect(cells(narrow)[0]).toEqual(['ID', 'TEXT']);
    expect(cells(narrow)[1]).toEqual(['12345', `${'x'.repeat(12)}…`.slice(0, 13)]);
    for (const l of narrow.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(20);
  });

  it('a kept column is cut only as a last resort, so a row still never wraps', () => {
    const out = table(HEADERS, ROWS, 45, { fixed: [0, 1], keep: [2] });
    for (const l of out.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(45);
    const [, , type, note] = cells(out)[1]!;
    expect(note).toBe('the…');
    expect(type).toMatch(/^whatsapp:acc.*…$/);
  });

  it('shortAccount keeps a phone whole and shows a long opaque id by its first 8 characters', () => {
    expect(shortAccount('+15555550100')).toBe('+15555550100');
    expect(shortAccount('0b7f3c2e-1a2b-4c3d-8e9f-a0b1c2d3e4f5')).toBe('0b7f3c2e…');
    expect(shortAccount('Acme Support Line One')).toBe('Acme Support Line One');
  });
});
