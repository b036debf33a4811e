/**
 * `--progress plain` as buildx writes it, minus its false alarms: a cache import that finds nothing
 * (`#N ERROR: failed to configure registry cache importer: ...: not found`, and the `------ > importing
 * cache manifest from ...: ------` block buildx repeats when a build fails) is dropped; view.ts turns
 * it into one note per image and platform. Any other cache error passes through as buildx wrote it.
 */
import { CACHE_MISSING } from './view.js';

const IMPORT_HEADER = /^#(\d+) \[[^\]]*\] importing cache manifest from /;
const STEP_LINE = /^#(\d+) (.*)$/;
const SUMMARY_IMPORT = /^ > \[[^\]]*\] importing cache manifest from .*:$/;

export class PlainFilter {
  private partial = '';
  private readonly held = new Map<string, string[]>();
  private swallowBlank = false;
  private dash: string | undefined;
  private summary = 0;

  constructor(private readonly write: (text: string) => void) {}

  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    const out: string[] = [];
    for (const line of lines) this.line(line.replace(/\r$/, ''), out);
    if (out.length > 0) this.write(out.map((l) => `${l}\n`).join(''));
  }

  end(): void {
    const out: string[] = [];
    if (this.partial !== '') this.line(this.partial, out);
    this.partial = '';
    if (this.dash !== undefined) out.push(this.dash);
    this.dash = undefined;
    for (const lines of this.held.values()) out.push(...lines);
    this.held.clear();
    if (out.length > 0) this.write(out.map((l) => `${l}\n`).join(''));
  }

  private line(line: string, out: string[]): void {
    // buildx's closing summary: "------" / " > [x] importing cache manifest from ...:" / "------"
    if (this.summary === 1) {
      this.summary = 0;
      if (line === '------') return;
    }
    if (this.dash !== undefined) {
      const dash = this.dash;
      this.dash = undefined;
      if (SUMMARY_IMPORT.test(line)) {
        this.summary = 1;
        return;
      }
      out.push(dash);
    }
    if (line === '------') {
      this.dash = line;
      return;
    }
    if (this.swallowBlank) {
      this.swallowBlank = false;
      if (line.trim() === '') return;
    }
    const header = IMPORT_HEADER.exec(line);
    if (header) {
      this.held.set(header[1]!, [...(this.held.get(header[1]!) ?? []), line]);
      return;
    }
    const step = STEP_LINE.exec(line);
    const held = step ? this.held.get(step[1]!) : undefined;
    if (!step || !held) {
      out.push(line);
      return;
    }
    const text = step[2]!;
    if (text.startsWith('ERROR: ') && CACHE_MISSING.test(text)) {
      this.held.delete(step[1]!);
      this.swallowBlank = true;
      return;
    }
    if (text.startsWith('ERROR: ') || text.startsWith('DONE') || text === 'CANCELED') {
      this.held.delete(step[1]!);
      out.push(...held, line);
      return;
    }
    held.push(line);
  }
}
