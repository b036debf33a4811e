import { joinPath, leavesRoot, type WorkspaceFiles } from './files.js';

const GLOB_CHARS = /[*?[]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** One path segment of a glob (`*`, `?`, `[..]`) as an anchored RegExp: also how bake matches a --set target pattern. */
export function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Directories matching a Cargo member glob (`*`, `?`, `[..]`, `**`), root-relative, sorted. */
export function globDirectories(files: WorkspaceFiles, pattern: string): string[] {
  const segments = joinPath(pattern).split('/');
  const found = new Set<string>();
  const walk = (dir: string, rest: string[]): void => {
    if (rest.length === 0) {
      found.add(dir);
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '**') {
      walk(dir, tail);
      for (const entry of files.list(dir) ?? []) {
        // `**` does not descend through a symlink out of the root (a target/ linked elsewhere, say)
        const child = joinPath(dir, entry.name);
        if (entry.isDirectory && !entry.name.startsWith('.') && !leavesRoot(files.realpath(child) ?? '')) walk(child, rest);
      }
      return;
    }
    if (!isGlob(head)) {
      const next = joinPath(dir, head);
      if (files.list(next) !== undefined) walk(next, tail);
      return;
    }
    const re = segmentRegex(head);
    for (const entry of files.list(dir) ?? []) {
      if (entry.isDirectory && re.test(entry.name)) walk(joinPath(dir, entry.name), tail);
    }
  };
  walk('.', segments);
  return [...found].sort();
}

/** Cargo's `exclude`: a path prefix, or a glob. */
export function isExcluded(dir: string, excludes: readonly string[]): boolean {
  return excludes.some((raw) => {
    const pattern = joinPath(raw);
    if (isGlob(pattern)) {
      const parts = pattern.split('/');
      const dirParts = dir.split('/');
      return parts.length <= dirParts.length && parts.every((p, i) => segmentRegex(p).test(dirParts[i]!));
    }
    return dir === pattern || dir.startsWith(`${pattern}/`);
  });
}
