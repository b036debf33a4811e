// Regenerates every golden file: test/fixtures/golden/<case>/, test/fixtures/golden-workflows/<case>.yml
// and the example's bake/ directory.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../src/cli.js';
import { renderWorkflowCase, workflowCases, workflowGoldenDir, workflowGoldenPath } from '../test/fixtures/golden-workflows/cases.js';
import { goldenCases, goldenDir, renderCase } from '../test/helpers/golden.js';
import { repoRoot } from '../test/helpers/paths.js';

for (const c of goldenCases) {
  const dir = goldenDir(c.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of renderCase(c)) writeFileSync(join(dir, file.name), file.content);
  console.log(`golden ${c.name}`);
}

for (const f of readdirSync(workflowGoldenDir).filter((f) => f.endsWith('.yml'))) rmSync(join(workflowGoldenDir, f));
for (const c of workflowCases) {
  writeFileSync(workflowGoldenPath(c.name), renderWorkflowCase(c));
  console.log(`golden workflow ${c.name}`);
}

const code = await run(['generate', '--workspace', 'examples/workspace', '--out', 'bake', '--force'], {
  cwd: repoRoot,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
process.exitCode = code;
