import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { inputError } from '../errors.js';
import type { DirEntry, WorkspaceFiles } from '../workspace/files.js';

/** The byte offset of the first byte that does not start a well-formed UTF-8 sequence, if any. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n > bytes.length - 1) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = bytes[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    const min = [0, 0x80, 0x800, 0x10000][n]!;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return undefined;
}

/** Text of a file read as Cargo reads it: UTF-8 or an error naming the file, byte and line. */
export function decodeUtf8(bytes: Uint8Array, shown: string): string {
  const at = invalidUtf8Offset(bytes);
  if (at !== undefined) {
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw inputError(`${shown}: invalid UTF-8 at byte ${at} (line ${line}). Cargo reads it as UTF-8; save it in that encoding.`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The real file system under `root`, as the workspace reader sees it. Nothing outside the root is read:
 * a path that resolves (through `..` or a symlink) outside it is an input error naming it.
 */
export function diskFiles(root: string, shown = root): WorkspaceFiles {
  const realRoot = (() => {
    try {
      return realpathSync(root);
    } catch {
      return root;
    }
  })();
  const at = (path: string) => (shown === '.' ? path : `${shown}/${path}`);
  const realpath = (path: string): string | undefined => {
    try {
      const rel = relative(realRoot, realpathSync(join(root, path)));
      return rel === '' ? '.' : isAbsolute(rel) ? rel : rel.split('\\').join('/');
    } catch {
      return undefined;
    }
  };
  const confined = (path: string): string => {
    if (isAbsolute(path)) throw inputError(`${path} is outside the workspace root ${shown}; crossbake reads only files inside it.`);
    const real = realpath(path);
    if (real !== undefined && (real === '..' || real.startsWith('../') || isAbsolute(real))) {
      throw inputError(
        `${at(path)} resolves to ${join(realRoot, real)}, outside the workspace root ${shown}; the build context holds only what is inside it. Move it into the workspace, or replace the symlink by the files.`,
      );
    }
    return join(root, path);
  };
  return {
    read(path: string): string | undefined {
      const full = confined(path);
      let bytes: Buffer;
      try {
        if (!statSync(full).isFile()) return undefined;
        bytes = readFileSync(full);
      } catch {
        return undefined;
      }
      return decodeUtf8(bytes, at(path));
    },
    list(dir: string): readonly DirEntry[] | undefined {
      const full = confined(dir);
      try {
        return readdirSync(full, { withFileTypes: true }).map((e) => ({
          name: e.name,
          isDirectory: e.isDirectory() || (e.isSymbolicLink() && isDir(join(full, e.name))),
        }));
      } catch {
        return undefined;
      }
    },
    realpath,
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
