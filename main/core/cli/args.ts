// Argument parsing for the CLI: the command registry with each command's flags and help, usage errors, bounded number flags.
import { parseArgs } from 'node:util';
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

/** `hookwatch <command> --help` was asked: the text goes to stdout, exit code 0. */
export class HelpRequested extends Error {}

/** One flag of a command: parseArgs' type, plus what `--help` says about it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help (N, DIR, table|jsonl). */
  arg?: string;
  help?: string;
}
export type FlagSpecs = Record<string, FlagSpec>;

export type CommandRun = (args: string[], io: CliIo) => number | Promise<number>;

export interface CommandEntry {
  name: string;
  /** One line for the global help and the top of `<command> --help`. */
  summary: string;
  run: CommandRun;
}

/** Every command, in the order registered (the order of the global help's list). */
export const COMMANDS = new Map<string, CommandEntry>();

/** Registers a command: one line per command in main.ts or in the command's own file. */
export function registerCommand(name: string, summary: string, run: CommandRun): void {
  COMMANDS.set(name, { name, summary, run });
}

const COMMON: FlagSpecs = {
  data: { type: 'string', arg: 'DIR', help: 'data folder (else $HOOKWATCH_DATA, else the desktop app’s folder)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

export function commandHelp(command: string, options: FlagSpecs): string {
  const all = { ...options, ...COMMON };
  const entries = Object.entries(all).map(([name, f]) => [
    `--${name}${f.arg ? ` ${f.arg}` : ''}${f.short ? `, -${f.short}` : ''}`,
    f.help ?? '',
  ]);
  const w = Math.min(28, Math.max(...entries.map(([l]) => l!.length)));
  const summary = COMMANDS.get(command)?.summary;
  return (
    `hookwatch ${command}${summary ? `: ${summary}` : ''}\n\nUsage: hookwatch ${command} [flags]\n\nFlags:\n` +
    entries.map(([l, h]) => (l!.length > w ? `  ${l}\n  ${' '.repeat(w)}  ${h}` : `  ${l!.padEnd(w)}  ${h}`).trimEnd()).join('\n') +
    '\n'
  );
}

/**
 * A string flag followed by a value that starts with '-' (`--limit -5`) is taken as that flag's value, so the
 * flag's own check can say what is allowed instead of parseArgs' remark about ambiguity.
 */
function joinDashValues(args: string[], specs: FlagSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') ? a.slice(2) : null;
    const next = args[i + 1];
    if (name && specs[name]?.type === 'string' && next !== undefined && /^-(\d|\.|-?$)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parse<T extends FlagSpecs>(command: string, args: string[], options: T) {
  const specs = { ...COMMON, ...options };
  const config = Object.fromEntries(
    Object.entries(specs).map(([k, f]) => [k, f.short ? { type: f.type, short: f.short } : { type: f.type }]),
  ) as { [K in keyof (T & typeof COMMON)]: { type: (T & typeof COMMON)[K]['type'] } };
  let values;
  try {
    values = parseArgs({ args: joinDashValues(args, specs), options: config, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\s+/g, ' ');
    throw new UsageError(`${command}: ${msg} (see hookwatch ${command} --help)`);
  }
  if ((values as { help?: boolean }).help) throw new HelpRequested(commandHelp(command, options));
  return values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string } & { data?: string; help?: boolean };
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

/** A flag that takes one of a few words. */
export function choiceFlag<C extends string>(name: string, raw: string | undefined, allowed: readonly C[], fallback: C): C {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be ${allowed.join(', ')}; got '${raw}'`);
  return raw as C;
}

/** The terminal's width: the TTY's own, else $COLUMNS, else 80 (a pipe or a file). */
export function terminalWidth(env: NodeJS.ProcessEnv): number {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c >= 20 ? c : 80;
}
