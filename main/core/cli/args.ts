// Argument parsing for the CLI: node:util parseArgs, usage errors, the data folder, bounded number flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { defaultDataDir } from '../paths.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {}

const COMMON = { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\s+/g, ' ');
    throw new UsageError(`${command}: ${msg} (see hookwatch --help)`);
  }
}

export function dataDirOf(values: { data?: string | boolean | undefined }, env: NodeJS.ProcessEnv): string {
  if (values.data === '') throw new UsageError('--data needs a folder');
  return typeof values.data === 'string' ? values.data : defaultDataDir(env);
}

export function intFlag(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}
