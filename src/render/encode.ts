/**
 * Encoders: a value, already validated, spelled for one destination so that the destination's own
 * parser reads back exactly that value. None lets a line break through into a line-oriented format:
 * that is a bug upstream (a missing grammar check), and they throw rather than write it.
 */
import { controlCharacter } from '../grammar.js';

function oneLine(value: string, destination: string): string {
  const bad = controlCharacter(value);
  if (bad) throw new Error(`${JSON.stringify(value)} holds ${bad} and cannot go into ${destination}; it should have been refused as input`);
  return value;
}

/**
 * A Dockerfile `ENV`/`LABEL`/`ARG` value: double-quoted, with `\`, `"` and `$` escaped. Docker's word
 * lexer expands `$VAR` and `${VAR}` inside double quotes and honours `\` before `"`, `$` and `\` only.
 */
export function dockerfileValue(value: string): string {
  return `"${oneLine(value, 'a Dockerfile instruction').replace(/[\\"$]/g, '\\$&')}"`;
}

/** A POSIX shell word: single-quoted, `'` spelled `'\''`. Safe anywhere a word goes, even in a Dockerfile RUN. */
export function shellWord(value: string): string {
  oneLine(value, 'a shell command');
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Several shell words, space-separated. */
export function shellWords(values: readonly string[]): string {
  return values.map(shellWord).join(' ');
}

/**
 * Escapes a literal for a bake file: buildx reads every string of an HCL or JSON bake file as an HCL
 * template, so `${` and `%{` would start an interpolation or a directive.
 */
export function hclLiteral(value: string): string {
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{');
}

/**
 * A quoted HCL string for text that is already a template (its `${...}` meant). HCL knows the escapes
 * \n \r \t \" \\ \uNNNN, so other control characters go as \uNNNN (JSON's \b and \f would be errors).
 */
export function hclQuoted(template: string): string {
  let out = '"';
  for (const ch of template) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A literal string in HCL syntax: escaped as a literal, then quoted. */
export function hclString(value: string): string {
  return hclQuoted(hclLiteral(value));
}

/**
 * A root-relative path as a `.dockerignore` pattern matching that path only: anchored with `/`, and the
 * pattern characters `* ? [ ] \` and a leading `!` or `#` escaped (Docker's matcher takes `\x` as x).
 */
export function ignorePattern(path: string, options: { directory?: boolean } = {}): string {
  const value = oneLine(path, 'an ignore file').replace(/^\/+/, '').replace(/\/+$/, '');
  if (value === '' || value.trim() !== value) throw new Error(`${JSON.stringify(path)} is not a path an ignore file can name`);
  return `/${value.replace(/[*?[\]\\!#]/g, '\\$&')}${options.directory ? '/' : ''}`;
}

/**
 * A heredoc delimiter that occurs nowhere in `body`, not even as part of a line, so no line of the
 * body can end the heredoc early however BuildKit trims it.
 */
export function heredocDelimiter(body: string, base = 'CROSSBAKE_EOF'): string {
  let delimiter = base;
  for (let n = 1; body.includes(delimiter); n++) delimiter = `${base}_${n}`;
  return delimiter;
}

/** `COPY <<'DELIM' dest` with the body verbatim (quoted delimiter: no expansion inside). */
export function heredoc(instruction: string, body: string): string {
  const text = body === '' || body.endsWith('\n') ? body : `${body}\n`;
  const delimiter = heredocDelimiter(text);
  return `${instruction.replace('<<DELIM', `<<'${delimiter}'`)}\n${text}${delimiter}`;
}

export { csvEntry } from '../csv.js';
