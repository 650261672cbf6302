// Runtime checks for rows read back from SQLite: each column is checked for the type its table declares.
import { StoreDataError } from './errors.js';

/**
 * A row as better-sqlite3 returns it: column name to value. The hydrate functions of each table module
 * turn one into a typed record with these checks instead of trusting a cast, so a row that is not what
 * the schema promises fails loudly, naming its table and column, rather than leaking a wrong type.
 */
export type SqlRow = Readonly<Record<string, unknown>>;

function isRow(value: unknown): value is SqlRow {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A query result that must be a row (better-sqlite3 returns objects unless a statement is plucked). */
export function asRow(value: unknown, table: string): SqlRow {
  if (!isRow(value)) throw new StoreDataError(`${table}: expected a row, got ${value === null ? 'null' : typeof value}`);
  return value;
}

function bad(table: string, column: string, expected: string, value: unknown): never {
  throw new StoreDataError(`${table}.${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
}

export function num(r: SqlRow, table: string, column: string): number {
  const v = r[column];
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad(table, column, 'a number', v);
}

export function numOrNull(r: SqlRow, table: string, column: string): number | null {
  return r[column] === null ? null : num(r, table, column);
}

export function str(r: SqlRow, table: string, column: string): string {
  const v = r[column];
  return typeof v === 'string' ? v : bad(table, column, 'text', v);
}

export function strOrNull(r: SqlRow, table: string, column: string): string | null {
  return r[column] === null ? null : str(r, table, column);
}

/** A 0/1 flag column. */
export function flag(r: SqlRow, table: string, column: string): boolean {
  const v = num(r, table, column);
  return v === 1 ? true : v === 0 ? false : bad(table, column, '0 or 1', v);
}

export function blobOrNull(r: SqlRow, table: string, column: string): Buffer | null {
  const v = r[column];
  return v === null ? null : Buffer.isBuffer(v) ? v : bad(table, column, 'a blob', v);
}

/** A text column that must hold one of `choices`. */
export function oneOf<T extends string>(r: SqlRow, table: string, column: string, choices: readonly T[]): T {
  const v = str(r, table, column);
  return isOneOf(v, choices) ? v : bad(table, column, `one of ${choices.join(', ')}`, v);
}

export function oneOfOrNull<T extends string>(r: SqlRow, table: string, column: string, choices: readonly T[]): T | null {
  return r[column] === null ? null : oneOf(r, table, column, choices);
}

export function isOneOf<T extends string>(v: unknown, choices: readonly T[]): v is T {
  return typeof v === 'string' && choices.some((c) => c === v);
}

export function parseJsonColumn(r: SqlRow, table: string, column: string): unknown {
  const text = str(r, table, column);
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch (err) {
    throw new StoreDataError(`${table}.${column}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON column holding an object (event details). */
export function jsonObject(r: SqlRow, table: string, column: string): Record<string, unknown> {
  const v = parseJsonColumn(r, table, column);
  return isPlainObject(v) ? v : bad(table, column, 'a JSON object', v);
}

/** A JSON column holding an object of strings (request headers). */
export function jsonStringMap(r: SqlRow, table: string, column: string): Record<string, string> {
  const v = jsonObject(r, table, column);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : bad(table, `${column}.${k}`, 'text', x);
  return out;
}
