import TOML from '@iarna/toml';
import { inputError } from '../errors.js';

export type TomlTable = Record<string, unknown>;

interface TomlSyntaxError extends Error {
  line?: number;
  col?: number;
}

/** Parses TOML, turning a syntax error into one line with file, line and column. */
export function parseToml(text: string, file: string): TomlTable {
  try {
    return TOML.parse(text) as TomlTable;
  } catch (error) {
    const e = error as TomlSyntaxError;
    const where = e.line === undefined ? file : `${file}:${e.line + 1}:${(e.col ?? 0) + 1}`;
    const reason = (e.message.split('\n')[0] ?? 'invalid TOML').replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw inputError(`${where}: invalid TOML: ${reason}. Fix the syntax there and run again.`);
  }
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
