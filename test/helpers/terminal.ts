/**
 * A tiny terminal for tests: applies the text a program writes (printable characters, \r, \n, and the
 * ANSI sequences the live view uses: cursor up, erase line, erase down) to a grid, and counts how many
 * lines scrolled off, so a test can tell a redraw from a scrolling log.
 */
export class Terminal {
  readonly lines: string[] = [''];
  private row = 0;
  private col = 0;

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\x1b') {
        const m = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i));
        if (!m) continue;
        i += m[0].length - 1;
        const n = Number(m[1] || '1');
        if (m[2] === 'A') this.row = Math.max(0, this.row - n);
        else if (m[2] === 'K') this.lines[this.row] = '';
        else if (m[2] === 'J') {
          this.lines.splice(this.row + 1);
          this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
        }
        continue;
      }
      if (c === '\r') this.col = 0;
      else if (c === '\n') {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push('');
      } else {
        const line = this.lines[this.row]!.padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
  }

  /** The screen's text, without the empty line the cursor rests on. */
  get text(): string[] {
    return this.lines.slice(0, this.lines[this.lines.length - 1] === '' ? -1 : undefined);
  }
}
