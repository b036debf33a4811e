import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { repoRoot } from './helpers/paths.js';

/** The one-way data flow, as imports: renderers are reached only through commands, commands only from the CLI. */
const src = join(repoRoot, 'src');
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split('\\').join('/'));
const imports = (file: string) =>
  [...readFileSync(join(src, file), 'utf8').matchAll(/^import [^;]*? from '(\.[^']+)'/gms)].map((m) =>
    relative(src, join(src, file, '..', m[1]!))
      .split('\\')
      .join('/'),
  );

t.test('no import from render/ outside commands/ (and render/ itself)', async (t) => {
  for (const f of files.filter((f) => !f.startsWith('commands/') && !f.startsWith('render/'))) {
    t.same(
      imports(f).filter((i) => i.startsWith('render/')),
      [],
      f,
    );
  }
});

t.test('no import from commands/ outside commands/ and the CLI', async (t) => {
  for (const f of files.filter((f) => !f.startsWith('commands/') && f !== 'cli.ts')) {
    t.same(
      imports(f).filter((i) => i.startsWith('commands/')),
      [],
      f,
    );
  }
});

t.test('the pure core (workspace/, settings/, plan, render/) imports nothing that touches processes or files', async (t) => {
  for (const f of files.filter((f) => /^(workspace|settings|render)\/|^plan\.ts$/.test(f))) {
    t.same(
      imports(f).filter((i) => /^(fs|buildx|commands)\//.test(i) || i === 'cli.js'),
      [],
      f,
    );
  }
});

t.test('fs/ imports nothing from render/', async (t) => {
  for (const f of files.filter((f) => f.startsWith('fs/')))
    t.same(
      imports(f).filter((i) => i.startsWith('render/')),
      [],
      f,
    );
});
