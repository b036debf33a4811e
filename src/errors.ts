/** Every failure crossbake expects ends as one of these: a message naming cause and fix, and an exit code. */
export const ExitCode = {
  /** Bad input: manifests, settings, flags. */
  input: 2,
  /** The machine lacks something: docker, the daemon, buildx, a platform. */
  environment: 3,
  /** The build itself failed (compile, link, a Dockerfile step). */
  build: 4,
  /** A network fault: crates or images could not be fetched. */
  network: 5,
  /** The registry refused: login, push. */
  registry: 6,
  /** A generated file was edited by hand and would be overwritten. */
  conflict: 7,
  /** `--check`: a generated file differs from what crossbake would write now. */
  stale: 8,
  /** `verify`: a rebuild from scratch gave different images. */
  unreproducible: 9,
} as const;

export type ErrorKind = keyof typeof ExitCode;

export class CrossbakeError extends Error {
  readonly kind: ErrorKind;
  /** Extra lines shown under the message (e.g. every validation problem). */
  readonly details: readonly string[];

  constructor(kind: ErrorKind, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'CrossbakeError';
    this.kind = kind;
    this.details = details;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export const inputError = (message: string, details: readonly string[] = []) => new CrossbakeError('input', message, details);

export function formatError(error: CrossbakeError): string {
  return [`crossbake: ${error.message}`, ...error.details.map((d) => `  ${d}`)].join('\n');
}
