/**
 * A generated workspace for the bench's scale rows: `bins` binaries over 28 library crates in four layers
 * (40 crates with 12 binaries), all using serde and serde_json. Only crates Debian 12 packages are used
 * (the debian toolchain builds offline) and the code compiles with Rust 1.63. Its Cargo.lock is the example
 * workspace's registry entries (the same dependency set, resolved in a bookworm container) plus the
 * members, written the way cargo writes them, so `--locked` passes.
 */

export interface SyntheticOptions {
  readonly bins: number;
  /** Library crates; four layers, each library but the first layer's using two of the layer below. */
  readonly libs?: number;
  /** The example workspace's Cargo.lock: its registry packages are this workspace's too. */
  readonly exampleLock: string;
  /** A feature that makes this copy's dependency skeleton its own (no other build shares its layers). */
  readonly nonce?: string;
  readonly registry?: string;
}

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

const LAYERS = 4;
const pad = (n: number) => String(n).padStart(2, '0');
export const libName = (i: number) => `lib${pad(i)}`;
export const binName = (i: number) => `svc${pad(i)}`;

/** The libraries lib `i` uses: two of the layer below (none for the first layer). */
export function libDeps(i: number, libs: number): number[] {
  const width = Math.ceil(libs / LAYERS);
  const layer = Math.floor(i / width);
  if (layer === 0) return [];
  const below = (layer - 1) * width;
  const pos = i - layer * width;
  return [...new Set([below + (pos % width), below + ((pos + 1) % width)])].filter((d) => d < libs).sort((a, b) => a - b);
}

/** The libraries binary `b` uses: two of the top layer. */
export function binDeps(b: number, libs: number): number[] {
  const width = Math.ceil(libs / LAYERS);
  const top = (LAYERS - 1) * width;
  const span = libs - top;
  return [...new Set([top + (b % span), top + ((b + 3) % span)])].sort((a, b2) => a - b2);
}

function libSource(i: number, deps: readonly number[]): string {
  const n = pad(i);
  const fields = deps.map((d) => `    pub dep${pad(d)}: ${libName(d)}::Record${pad(d)},`).join('\n');
  const init = deps.map((d) => `            dep${pad(d)}: ${libName(d)}::Record${pad(d)}::new(id + ${d}),`).join('\n');
  const depScore = deps.map((d) => ` + self.dep${pad(d)}.score()`).join('');
  return `//! Library ${n} of crossbake's synthetic bench workspace.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind${n} {
    Alpha,
    Beta,
    Gamma,
    Delta,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record${n} {
    pub id: u64,
    pub name: String,
    pub kind: Kind${n},
    pub tags: Vec<String>,
    pub parts: Vec<u32>,
    pub weight: f64,
${fields}
}

impl Record${n} {
    pub fn new(id: u64) -> Self {
        let kind = match id % 4 {
            0 => Kind${n}::Alpha,
            1 => Kind${n}::Beta,
            2 => Kind${n}::Gamma,
            _ => Kind${n}::Delta,
        };
        Record${n} {
            id,
            name: format!("record-${n}-{}", id),
            kind,
            tags: (0..(id % 5)).map(|t| format!("t{}", t)).collect(),
            parts: (0..8u32).map(|p| p.wrapping_mul(id as u32 + ${i})).collect(),
            weight: id as f64 / ${i + 1}.0,
${init}
        }
    }

    pub fn score(&self) -> u64 {
        let parts: u64 = self.parts.iter().map(|p| u64::from(*p % 1000)).sum();
        parts + self.tags.len() as u64 + self.kind as u64${depScore}
    }
}

pub fn encode(record: &Record${n}) -> String {
    serde_json::to_string(record).expect("a record serializes")
}

pub fn decode(text: &str) -> Option<Record${n}> {
    serde_json::from_str(text).ok()
}

pub fn checksum(id: u64) -> u64 {
    decode(&encode(&Record${n}::new(id))).map(|r| r.score()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let r = super::Record${n}::new(3);
        assert_eq!(super::decode(&super::encode(&r)), Some(r));
    }
}
`;
}

function binSource(b: number, deps: readonly number[]): string {
  const sum = deps.map((d) => `${libName(d)}::checksum(n)`).join(' + ');
  return `//! Service ${pad(b)} of crossbake's synthetic bench workspace.
fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    let total = ${sum};
    println!("{}", serde_json::json!({ "service": "${binName(b)}", "total": total }));
}
`;
}

function manifest(name: string, deps: readonly string[], extra = ''): string {
  const lines = deps.map((d) => (d.startsWith('lib') ? `${d} = { path = "../${d}" }` : `${d} = { workspace = true }`));
  return `[package]
name = "${name}"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
publish = false

[dependencies]
${lines.join('\n')}
${extra}`;
}

/** The `[[package]]` blocks of a Cargo.lock that come from a registry, as written. */
export function registryBlocks(lock: string): string[] {
  return lock
    .split(/\n(?=\[\[package\]\]\n)/)
    .map((b) => b.trim())
    .filter((b) => b.startsWith('[[package]]') && /\nsource = "registry\+/.test(b));
}

const blockName = (block: string) => /\nname = "([^"]+)"/.exec(block)?.[1] ?? '';

function lockfile(members: ReadonlyArray<{ name: string; deps: readonly string[] }>, exampleLock: string): string {
  const blocks = [
    ...registryBlocks(exampleLock),
    ...members.map((m) => {
      const deps = [...m.deps].sort();
      const list = deps.length ? `\ndependencies = [\n${deps.map((d) => ` "${d}",`).join('\n')}\n]` : '';
      return `[[package]]\nname = "${m.name}"\nversion = "0.1.0"${list}`;
    }),
  ].sort((a, b) => (blockName(a) < blockName(b) ? -1 : blockName(a) > blockName(b) ? 1 : 0));
  return `# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n\n${blocks.join('\n\n')}\n`;
}

export function syntheticWorkspace(options: SyntheticOptions): GeneratedFile[] {
  const libs = options.libs ?? 28;
  const files: GeneratedFile[] = [];
  const members: Array<{ name: string; deps: string[] }> = [];
  files.push({
    path: 'Cargo.toml',
    content: `[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.package]
version = "0.1.0"
edition = "2021"
rust-version = "1.63"

[workspace.dependencies]
serde = { version = "1.0", features = ["derive"] }
serde_json = "1.0"

[profile.release]
strip = true

[workspace.metadata.crossbake]
toolchain = "debian"
registry = "${options.registry ?? '127.0.0.1:5000/crossbake-synthetic'}"
platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
`,
  });
  for (let i = 0; i < libs; i++) {
    const deps = [...libDeps(i, libs).map(libName), 'serde', 'serde_json'];
    const extra = i === 0 && options.nonce ? `\n[features]\nisolate-${options.nonce} = []\n` : '';
    files.push({ path: `crates/${libName(i)}/Cargo.toml`, content: manifest(libName(i), deps, extra) });
    files.push({ path: `crates/${libName(i)}/src/lib.rs`, content: libSource(i, libDeps(i, libs)) });
    members.push({ name: libName(i), deps });
  }
  for (let b = 0; b < options.bins; b++) {
    const deps = [...binDeps(b, libs).map(libName), 'serde_json'];
    files.push({ path: `crates/${binName(b)}/Cargo.toml`, content: manifest(binName(b), deps) });
    files.push({ path: `crates/${binName(b)}/src/main.rs`, content: binSource(b, binDeps(b, libs)) });
    members.push({ name: binName(b), deps });
  }
  files.push({ path: 'Cargo.lock', content: lockfile(members, options.exampleLock) });
  return files;
}
