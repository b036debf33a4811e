// Regenerates every golden file: test/fixtures/golden/<case>/ and the example's bake/ directory.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/cli.js';
import { goldenCases, goldenDir, renderCase } from '../test/helpers/golden.js';
import { repoRoot } from '../test/helpers/paths.js';

for (const c of goldenCases) {
  const dir = goldenDir(c.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of renderCase(c)) writeFileSync(join(dir, file.name), file.content);
  console.log(`golden ${c.name}`);
}

const code = await run(['generate', '--workspace', 'examples/workspace', '--out', 'bake', '--force'], {
  cwd: repoRoot,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
process.exitCode = code;
