// Builds docker/crossbake-skeleton.mjs: src/skeleton-main.ts and what it imports, in one ESM
// file for Debian bookworm's nodejs (18). Same sources and esbuild version, same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const skeletonBundleFile = join(repoRoot, 'docker/crossbake-skeleton.mjs');

export async function bundleSkeleton(): Promise<string> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['src/skeleton-main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minify: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
    // @iarna/toml is CommonJS and requires node's own modules (stream): an ESM bundle needs a require.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  const license = readFileSync(join(repoRoot, 'node_modules/@iarna/toml/LICENSE'), 'utf8').trim();
  return [
    "// crossbake's dependency skeleton planner (src/skeleton-main.ts), bundled by scripts/bundle-skeleton.ts.",
    `/* It includes @iarna/toml:\n${license.replace(/\*\//g, '* /')}\n*/`,
    result.outputFiles[0]!.text,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(skeletonBundleFile, await bundleSkeleton());
  console.log(`wrote ${skeletonBundleFile}`);
}
