/**
 * A small ELF reader: what crossbake needs to know about a built binary to assemble its runtime image
 * and check it (machine, class, NEEDED libraries, interpreter, GLIBC symbol versions). Pure: it reads
 * bytes, never files.
 */

export interface ElfInfo {
  readonly class: 32 | 64;
  readonly endian: 'little' | 'big';
  /** e_machine, e.g. 62 (x86-64), 183 (AArch64), 40 (ARM). */
  readonly machine: number;
  readonly machineName: string;
  /** e_flags; for ARM it says hard-float (EF_ARM_ABI_FLOAT_HARD). */
  readonly flags: number;
  readonly interpreter?: string;
  /** DT_NEEDED, in file order. */
  readonly needed: readonly string[];
  /** Versions needed per library (from .gnu.version_r), e.g. libc.so.6 → [GLIBC_2.17, GLIBC_2.34]. */
  readonly versionNeeds: Readonly<Record<string, readonly string[]>>;
}

export const EM = { X86_64: 62, AARCH64: 183, ARM: 40 } as const;
const MACHINE_NAMES: Record<number, string> = { 3: 'x86', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };
const EF_ARM_ABI_FLOAT_HARD = 0x400;

const PT_INTERP = 3;
const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;

export class ElfError extends Error {}

interface Section {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

export function readElf(bytes: Uint8Array): ElfInfo {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file');
  }
  const is64 = bytes[4] === 2;
  if (bytes[4] !== 1 && !is64) throw new ElfError(`unknown ELF class ${bytes[4]}`);
  const little = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, little);
  const u32 = (o: number) => view.getUint32(o, little);
  const addr = (o: number) => (is64 ? Number(view.getBigUint64(o, little)) : u32(o));
  const cstr = (o: number) => {
    let end = o;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(o, end));
  };

  const machine = u16(18);
  const flags = u32(is64 ? 48 : 36);
  const phoff = addr(is64 ? 32 : 28);
  const shoff = addr(is64 ? 40 : 32);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const shentsize = u16(is64 ? 58 : 46);
  const shnum = u16(is64 ? 60 : 48);

  let interpreter: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) === PT_INTERP) interpreter = cstr(addr(is64 ? p + 8 : p + 4));
  }

  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    sections.push({
      type: u32(s + 4),
      offset: addr(is64 ? s + 24 : s + 16),
      size: addr(is64 ? s + 32 : s + 20),
      link: u32(is64 ? s + 40 : s + 24),
      info: u32(is64 ? s + 44 : s + 28),
    });
  }

  const needed: string[] = [];
  const dynamic = sections.find((s) => s.type === SHT_DYNAMIC);
  if (dynamic) {
    const strtab = sections[dynamic.link];
    const entry = is64 ? 16 : 8;
    for (let o = dynamic.offset; o + entry <= dynamic.offset + dynamic.size; o += entry) {
      const tag = is64 ? Number(view.getBigInt64(o, little)) : view.getInt32(o, little);
      if (tag === 0) break;
      if (tag === DT_NEEDED && strtab) needed.push(cstr(strtab.offset + addr(o + (is64 ? 8 : 4))));
    }
  }

  const versionNeeds: Record<string, string[]> = {};
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED);
  if (verneed) {
    const strtab = sections[verneed.link];
    let o = verneed.offset;
    for (let n = 0; n < verneed.info && strtab; n++) {
      const file = cstr(strtab.offset + u32(o + 4));
      const versions: string[] = [];
      let a = o + u32(o + 8);
      for (let k = 0; k < u16(o + 2); k++) {
        versions.push(cstr(strtab.offset + u32(a + 8)));
        a += u32(a + 12);
      }
      versionNeeds[file] = versions;
      const next = u32(o + 12);
      if (next === 0) break;
      o += next;
    }
  }

  return {
    class: is64 ? 64 : 32,
    endian: little ? 'little' : 'big',
    machine,
    machineName: MACHINE_NAMES[machine] ?? `machine ${machine}`,
    flags,
    interpreter,
    needed,
    versionNeeds,
  };
}

/** Whether an ARM binary uses the hard-float ABI (armhf); meaningless for other machines. */
export function armHardFloat(info: ElfInfo): boolean {
  return (info.flags & EF_ARM_ABI_FLOAT_HARD) !== 0;
}
