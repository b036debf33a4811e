#!/usr/bin/env node
import { run } from '../dist/crossbake.mjs';

process.exitCode = await run(process.argv.slice(2));
