/**
 * The platform probe: a build `FROM scratch` that runs one tiny static program for the platform (three
 * instructions: exit(0)). It needs no base image and no network, takes about half a second, and answers
 * the one question `docker buildx ls` cannot: can this builder run that platform's programs?
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_DOCKERFILE, probeArgs } from './args.js';
import { exec } from './exec.js';

/** A minimal ELF64 executable: one PT_LOAD segment with the code right after the headers. */
export function elf64(machine: number, code: Buffer): Buffer {
  const header = Buffer.alloc(120);
  const base = 0x400000;
  const total = header.length + code.length;
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header[6] = 1; // ELF version
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(BigInt(base + 120), 24); // entry
  header.writeBigUInt64LE(64n, 32); // program headers right after this header
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(1, 56);
  header.writeUInt16LE(64, 58);
  header.writeUInt32LE(1, 64); // PT_LOAD
  header.writeUInt32LE(5, 68); // R+X
  header.writeBigUInt64LE(BigInt(base), 80);
  header.writeBigUInt64LE(BigInt(base), 88);
  header.writeBigUInt64LE(BigInt(total), 96);
  header.writeBigUInt64LE(BigInt(total), 104);
  header.writeBigUInt64LE(0x1000n, 112);
  return Buffer.concat([header, code]);
}

/** A minimal ELF32 executable (ARM EABI5, hard-float). */
export function elf32(machine: number, flags: number, code: Buffer): Buffer {
  const header = Buffer.alloc(84);
  const base = 0x10000;
  const total = header.length + code.length;
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 1;
  header[5] = 1;
  header[6] = 1;
  header.writeUInt16LE(2, 16);
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(base + 84, 24);
  header.writeUInt32LE(52, 28);
  header.writeUInt32LE(flags, 36);
  header.writeUInt16LE(52, 40);
  header.writeUInt16LE(32, 42);
  header.writeUInt16LE(1, 44);
  header.writeUInt16LE(40, 46);
  header.writeUInt32LE(1, 52);
  header.writeUInt32LE(base, 60);
  header.writeUInt32LE(base, 64);
  header.writeUInt32LE(total, 68);
  header.writeUInt32LE(total, 72);
  header.writeUInt32LE(5, 76);
  header.writeUInt32LE(0x1000, 80);
  return Buffer.concat([header, code]);
}

const words = (...w: number[]) => {
  const b = Buffer.alloc(w.length * 4);
  w.forEach((x, i) => {
    b.writeUInt32LE(x >>> 0, i * 4);
  });
  return b;
};

/** exit(0) for each platform of the table, by Docker platform. */
export const PROBE_PROGRAMS: Readonly<Record<string, () => Buffer>> = {
  // mov eax, 60; xor edi, edi; syscall
  'linux/amd64': () => elf64(62, Buffer.from([0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05])),
  // mov x0, #0; mov x8, #93; svc #0
  'linux/arm64': () => elf64(183, words(0xd2800000, 0xd2800ba8, 0xd4000001)),
  // mov r0, #0; mov r7, #1; svc #0
  'linux/arm/v7': () => elf32(40, 0x05000400, words(0xe3a00000, 0xe3a07001, 0xef000000)),
};

export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly noEmulation: boolean; readonly reason: string };

/** Runs the probe for `platform` on the builder; `program` overrides the table (tests). */
export async function probePlatform(platform: string, builder?: string, program?: Buffer): Promise<ProbeResult> {
  const elf = program ?? PROBE_PROGRAMS[platform]?.();
  if (!elf) return { ok: false, noEmulation: false, reason: `crossbake has no probe program for ${platform}` };
  const dir = mkdtempSync(join(tmpdir(), 'crossbake-probe-'));
  try {
    writeFileSync(join(dir, 'probe'), elf, { mode: 0o755 });
    const result = await exec('docker', probeArgs(platform, dir, builder), { input: PROBE_DOCKERFILE, timeoutMs: 120_000 });
    if (result.exitCode === 0) return { ok: true };
    const text = `${result.stderr}\n${result.stdout}`;
    const noEmulation = /exec format error/i.test(text);
    const reason =
      text
        .split('\n')
        .map((l) => l.replace(/^#\d+ [\d.]+ /, '').trim())
        .find((l) => /exec format error/i.test(l)) ??
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('ERROR:'))
        .pop()
        ?.replace(/^ERROR:\s*/, '') ??
      `exit ${result.exitCode}`;
    return { ok: false, noEmulation, reason };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
