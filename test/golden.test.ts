import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { goldenCases, goldenDir, renderCase } from './helpers/golden.js';

for (const c of goldenCases) {
  t.test(`golden ${c.name}`, async (t) => {
    const rendered = renderCase(c);
    const onDisk = readdirSync(goldenDir(c.name)).sort();
    t.same(rendered.map((f) => f.name).sort(), onDisk, 'the same set of files');
    for (const file of rendered) {
      const expected = readFileSync(join(goldenDir(c.name), file.name), 'utf8');
      t.equal(file.content, expected, `${file.name} (regenerate with npm run goldens)`);
    }
    t.same(renderCase(c), rendered, 'rendering twice gives the same bytes');
  });
}
