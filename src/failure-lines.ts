/**
 * The build-log lines that say why a step failed, as POSIX extended regular expressions that JavaScript
 * reads the same way: attribute.ts tests log lines with them, and the generated workflow hands the
 * combined pattern to its failure report (workflow/report.sh), whose awk reads it from the environment.
 * Keep to the common subset: no \d, \s, lookarounds or lazy quantifiers.
 */
export const FAILURE_LINES = {
  /** rustc's and cargo's errors: `error[E0425]: …`, `error: linker … not found`. */
  compiler: '^error(\\[E[0-9]+\\])?: ',
  /** crossbake's own words, from the Dockerfile's checks and crossbake-cargo: `crossbake: network error: …`. */
  crossbake: '^crossbake: ',
} as const;

export const COMPILER_ERROR = new RegExp(FAILURE_LINES.compiler);
export const CROSSBAKE_LINE = new RegExp(FAILURE_LINES.crossbake);

/** Any failure line, as one expression: the value of the report step's FAILURE_LINE. */
export const FAILURE_LINE_PATTERN = Object.values(FAILURE_LINES)
  .map((source) => `(${source})`)
  .join('|');
