import TOML from '@iarna/toml';
import { inputError } from '../errors.js';

export type TomlTable = Record<string, unknown>;

interface TomlSyntaxError extends Error {
  line?: number;
  col?: number;
}

/** How deep tables and arrays may nest; deeper is refused by name instead of exhausting the stack. */
export const MAX_NESTING = 100;

/** Parses TOML as Cargo reads it (a UTF-8 BOM and CRLF line ends accepted); a syntax error becomes one line with file, line and column. */
export function parseToml(text: string, file: string): TomlTable {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  let parsed: TomlTable;
  try {
    parsed = TOML.parse(source) as TomlTable;
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(file, undefined);
    const e = error as TomlSyntaxError;
    const where = e.line === undefined ? file : `${file}:${e.line + 1}:${(e.col ?? 0) + 1}`;
    const reason = (e.message.split('\n')[0] ?? 'invalid TOML').replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw inputError(`${where}: invalid TOML: ${reason}. Fix the syntax there and run again.`);
  }
  const deep = tooDeepPath(parsed);
  if (deep !== undefined) throw tooDeep(file, deep);
  return parsed;
}

function tooDeep(file: string, path: string | undefined): Error {
  return inputError(
    `${file}: values nest more than ${MAX_NESTING} levels deep${path ? ` (at ${path})` : ''}; crossbake reads at most ${MAX_NESTING}. Flatten them.`,
  );
}

/** The key path of the first value nested deeper than MAX_NESTING, found without recursion. */
function tooDeepPath(root: unknown): string | undefined {
  const stack: Array<[unknown, number, string]> = [[root, 0, '']];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    if (depth > MAX_NESTING) return path;
    if (Array.isArray(value)) for (const [i, v] of value.entries()) stack.push([v, depth + 1, `${path}[${i}]`]);
    else if (isTable(value)) for (const [k, v] of Object.entries(value)) stack.push([v, depth + 1, path ? `${path}.${k}` : k]);
  }
  return undefined;
}

export function stringifyToml(table: TomlTable): string {
  return TOML.stringify(table as TOML.JsonMap);
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function table(value: unknown): TomlTable {
  return isTable(value) ? value : {};
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  if (typeof value === 'number') return `a number (${value})`;
  return typeof value;
}

function wrongType(where: string, key: string, expected: string, value: unknown): Error {
  return inputError(`${where}: ${key} must be ${expected}, not ${describe(value)}, as Cargo requires. Fix it there.`);
}

/** Typed reads of manifest keys: absent is undefined, a wrong type is an error naming file, key and both types. */
export const typed = {
  string(value: unknown, where: string, key: string): string | undefined {
    if (value === undefined || typeof value === 'string') return value;
    throw wrongType(where, key, 'a string', value);
  },
  boolean(value: unknown, where: string, key: string): boolean | undefined {
    if (value === undefined || typeof value === 'boolean') return value;
    throw wrongType(where, key, 'true or false', value);
  },
  table(value: unknown, where: string, key: string): TomlTable | undefined {
    if (value === undefined || isTable(value)) return value;
    throw wrongType(where, key, 'a table', value);
  },
  strings(value: unknown, where: string, key: string): string[] {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    throw wrongType(where, key, 'an array of strings', Array.isArray(value) ? value.find((v) => typeof v !== 'string') : value);
  },
  tables(value: unknown, where: string, key: string): TomlTable[] {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every(isTable)) return value;
    throw wrongType(where, key, `an array of tables ([[${key}]])`, value);
  },
};
