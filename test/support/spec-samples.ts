/**
 * Payload corpora built at test time from the vendor documents in test/fixtures, so the tests follow the documents
 * instead of a hand-copied snapshot of them:
 * - specSamples(): one payload per webhook of TimelinesAI's OpenAPI webhook spec, generated from its schemas;
 * - seedExamples(): every JSON object shown in the seed documents (vendor docs kept verbatim).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES } from './harness.js';

export const WEBHOOK_SPEC = join(FIXTURES, 'provider-specs/webhook_spec.yaml');
export const SEEDS_DIR = join(FIXTURES, 'seeds');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Schema = Record<string, unknown>;

export interface SpecSample {
  /** The webhook's name in the spec (`webhooks.<name>`), which is also the payload's `event_type`. */
  event: string;
  /** The component schema the webhook's request body points at, e.g. `MessageData`. */
  schemaName: string;
  body: JsonObject;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Resolves a local `#/components/schemas/X` reference. Only local references occur in the spec. */
function resolveRef(spec: Schema, ref: string): { name: string; schema: Schema } {
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!m) throw new Error(`spec-samples: unsupported $ref ${ref}`);
  const schema = (spec.components as { schemas: Record<string, Schema> }).schemas[m[1]!];
  if (!schema) throw new Error(`spec-samples: $ref ${ref} points at nothing`);
  return { name: m[1]!, schema };
}

/**
 * A value for a schema: its `example` first, then the first `enum` value, else built from its parts
 * (all properties, required and optional; array = one item; allOf merged; oneOf/anyOf = the first).
 * `seen` guards against reference cycles (none today; a cycle would otherwise recurse forever).
 */
function sampleOf(spec: Schema, schema: Schema, seen: readonly string[] = []): Json {
  if (typeof schema.$ref === 'string') {
    const { name, schema: target } = resolveRef(spec, schema.$ref);
    if (seen.includes(name)) throw new Error(`spec-samples: reference cycle through ${name}`);
    // A sibling `example` next to a $ref would describe this use of the type; prefer it.
    if ('example' in schema) return clone(schema.example as Json);
    return sampleOf(spec, target, [...seen, name]);
  }
  if ('example' in schema) return clone(schema.example as Json);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return clone(schema.enum[0] as Json);
  if (Array.isArray(schema.allOf)) {
    const merged: JsonObject = {};
    for (const part of schema.allOf as Schema[]) {
      const v = sampleOf(spec, part, seen);
      if (!isPlainObject(v)) throw new Error('spec-samples: allOf of a non-object');
      Object.assign(merged, v);
    }
    return merged;
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleOf(spec, options[0] as Schema, seen);
  }
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
  if (type === 'object' || isPlainObject(schema.properties)) {
    const out: JsonObject = {};
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    for (const name of required) {
      if (!(name in props)) throw new Error(`spec-samples: required property ${name} has no schema`);
    }
    for (const [name, prop] of Object.entries(props)) out[name] = sampleOf(spec, prop, seen);
    return out;
  }
  if (type === 'array') return isPlainObject(schema.items) ? [sampleOf(spec, schema.items, seen)] : [];
  if (type === 'string') return 'sample';
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return false;
  if (type === 'null') return null;
  throw new Error(`spec-samples: cannot build a value for schema ${JSON.stringify(schema).slice(0, 200)}`);
}

let specCache: Schema | null = null;
export function webhookSpec(): Schema {
  specCache ??= parseYaml(readFileSync(WEBHOOK_SPEC, 'utf8')) as Schema;
  return specCache;
}

/** One payload per webhook in the spec, in the spec's order, each with `event_type` set to the webhook's name. */
export function specSamples(): SpecSample[] {
  const spec = webhookSpec();
  const webhooks = spec.webhooks as Record<string, Schema>;
  return Object.entries(webhooks).map(([event, def]) => {
    const schema = (def as any)?.post?.requestBody?.content?.['application/json']?.schema as Schema | undefined;
    if (!schema || typeof schema.$ref !== 'string') throw new Error(`spec-samples: webhook ${event} has no request body $ref`);
    const { name } = resolveRef(spec, schema.$ref);
    const body = sampleOf(spec, schema);
    if (!isPlainObject(body)) throw new Error(`spec-samples: ${event} did not give an object`);
    body.event_type = event;
    return { event, schemaName: name, body };
  });
}

/** The `enum` of `event_type` in a component schema (what the spec says that body shape is used for). */
export function eventTypeEnum(schemaName: string): string[] {
  const { schema } = resolveRef(webhookSpec(), `#/components/schemas/${schemaName}`);
  const prop = (schema.properties as Record<string, Schema> | undefined)?.event_type;
  return Array.isArray(prop?.enum) ? (prop.enum as string[]) : [];
}

export interface SeedExample {
  /** Seed file name, e.g. `003_91380e6d28454a81.txt`. */
  seed: string;
  /** 0-based position among the JSON objects found in that seed. */
  index: number;
  /** The JSON text as it appears in the document, with page spaces between tokens made plain. */
  text: string;
  body: JsonObject;
  /** The document's copy had non-breaking (or other page) spaces that JSON.parse rejects. */
  hadPageSpaces: boolean;
}

/**
 * The end of the balanced `{...}` starting at `start`, minding double-quoted strings (with escapes);
 * -1 when the braces never balance.
 */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Unicode spaces that web pages put where JSON wants plain whitespace (seed 003 indents with U+00A0). */
const PAGE_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/;

/** The candidate with page spaces outside JSON strings turned into plain spaces; strings are left as they are. */
function withPlainSpaces(candidate: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += candidate[++i] ?? '';
      else if (c === '"') inString = false;
    } else {
      if (c === '"') inString = true;
      out += PAGE_SPACES.test(c) ? ' ' : c;
    }
  }
  return out;
}

function parseObject(text: string): JsonObject | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? (parsed as JsonObject) : null;
  } catch {
    return null;
  }
}

/**
 * Every JSON object in a text: each `{` that opens a balanced block that JSON.parse accepts as an
 * object, after page spaces (NBSP from an HTML copy) between tokens become plain spaces; `text` is
 * that cleaned JSON, what a sender would really put on the wire. A block that does not parse
 * (JavaScript, JSX, Python in the docs) is skipped but searched inside, so a JSON object nested in
 * code (or in a `[...]` list response) is still found; a block that parses is taken whole, not its
 * inner objects again.
 */
export function jsonObjectsIn(text: string): Array<{ text: string; body: JsonObject; hadPageSpaces: boolean }> {
  const found: Array<{ text: string; body: JsonObject; hadPageSpaces: boolean }> = [];
  let i = text.indexOf('{');
  while (i >= 0) {
    const end = matchingBrace(text, i);
    let next = i + 1;
    if (end > i) {
      const raw = text.slice(i, end + 1);
      const cleaned = withPlainSpaces(raw);
      const body = parseObject(cleaned);
      if (body) {
        found.push({ text: cleaned, body, hadPageSpaces: cleaned !== raw });
        next = end + 1;
      }
    }
    i = text.indexOf('{', next);
  }
  return found;
}

/** Every JSON example in the seed documents (seeds/*.txt), in file order. */
export function seedExamples(dir = SEEDS_DIR): SeedExample[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .flatMap((seed) => jsonObjectsIn(readFileSync(join(dir, seed), 'utf8')).map((o, index) => ({ seed, index, ...o })));
}
