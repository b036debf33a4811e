#!/usr/bin/env node
import { execFile } from 'node:child_process';

// `crossbake bake` asks `docker info` first, and nothing in the question depends on the CLI: it starts
// while node compiles the CLI (each about a third of a second). The CLI stops it when it is not used.
const stop = new AbortController();
const dockerInfo = process.argv.includes('bake')
  ? new Promise((resolve) =>
      execFile(
        'docker',
        ['info', '--format', '{{json .}}'],
        { signal: stop.signal, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
      ),
    )
  : undefined;
const { run } = await import('../dist/crossbake.mjs');

process.exitCode = await run(process.argv.slice(2), undefined, dockerInfo && { result: dockerInfo, stop: () => stop.abort() });
