/**
 * Generators of hostile strings for the corpus, by what they attack. `lineBreaking` ones can only be
 * refused (no line-oriented destination can hold them); the others must be refused or read back exactly.
 */
export interface Hostile {
  readonly name: string;
  readonly value: string;
  readonly lineBreaking: boolean;
}

const lineBreaking: Array<[string, string]> = [
  ['a newline starting an instruction', 'x\nRUN touch /pwned'],
  ['a newline starting a stage', 'x\nFROM scratch AS runtime-x'],
  ['a carriage return', 'x\rRUN id'],
  ['a NUL byte', 'x\0y'],
  ['a line separator', 'x\u2028y'],
  ['a trailing newline', 'x\n'],
  ['a tab', 'x\ty'],
];

const inline: Array<[string, string]> = [
  ['command substitution', '$(touch /pwned)'],
  ['backticks', '`touch /pwned`'],
  ['a shell variable', '$HOME'],
  ['doubled dollars', 'pa$$word'],
  ['an HCL interpolation', '${TAG}'],
  ['an HCL directive', '%{ if true }x%{ endif }'],
  ['a GitHub expression', '${{ secrets.TOKEN }}'],
  ['a double quote', 'a"b'],
  ['a single quote', "it's"],
  ['a backslash', 'a\\b'],
  ['a trailing backslash', 'a\\'],
  ['a semicolon', 'a; touch /pwned'],
  ['a comma', 'a,b'],
  ['an equals sign', 'a=b'],
  ['a CSV entry', 'x,type=registry,ref=evil.example/x'],
  ['the heredoc delimiter', 'CROSSBAKE_EOF'],
  ['a parent directory', '../x'],
  ['an absolute path', '/etc/passwd'],
  ['a glob', '**/*.rs'],
  ['an ignore negation', '!src'],
  ['a comment mark', '# x'],
  ['a YAML flow', '{a: [b]}'],
  ['leading blanks', '  x'],
  ['a space', 'a b'],
  ['a template placeholder', '{{header}}'],
  ['replacement characters (from non-UTF-8)', 'x\uFFFDy'],
];

export function hostile(): Hostile[] {
  return [
    ...lineBreaking.map(([name, value]) => ({ name, value, lineBreaking: true })),
    ...inline.map(([name, value]) => ({ name, value, lineBreaking: false })),
  ];
}

/** A value as a test name: JSON, with the line separators TAP would break on escaped. */
export function show(value: string): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
