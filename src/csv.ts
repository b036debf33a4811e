import { controlCharacter } from './grammar.js';

/**
 * A buildx CSV entry (`type=local,dest=...`, read with Go's encoding/csv): a `key=value` field that
 * holds `,` or `"` is quoted whole, `"` doubled.
 */
export function csvEntry(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields
    .map(([key, value]) => {
      const field = `${key}=${singleLine(value)}`;
      return /[,"]/.test(field) || field.trim() !== field ? `"${field.replace(/"/g, '""')}"` : field;
    })
    .join(',');
}

function singleLine(value: string): string {
  const bad = controlCharacter(value);
  if (bad)
    throw new Error(
      `${JSON.stringify(value)} holds ${bad} and cannot go into a comma-separated entry; it should have been refused as input`,
    );
  return value;
}
