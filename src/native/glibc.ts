import type { Platform } from '../platforms.js';
import { armHardFloat, type ElfInfo } from './elf.js';

/** `2.36` → [2, 36]; undefined for anything that is not a dotted version. */
export function parseVersion(v: string): number[] | undefined {
  return /^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The highest `GLIBC_x.y` the binary asks for (GLIBC_PRIVATE and other tags ignored); undefined when none. */
export function glibcFloor(info: ElfInfo): string | undefined {
  let best: number[] | undefined;
  for (const versions of Object.values(info.versionNeeds)) {
    for (const tag of versions) {
      const v = tag.startsWith('GLIBC_') ? parseVersion(tag.slice('GLIBC_'.length)) : undefined;
      if (v && (!best || compareVersions(v, best) > 0)) best = v;
    }
  }
  return best?.join('.');
}

/** One `crossbake: ...` line when the binary needs a newer glibc than the runtime base has. */
export function glibcProblem(bin: string, info: ElfInfo, runtimeGlibc: string, baseImage: string): string | undefined {
  const floor = glibcFloor(info);
  const have = parseVersion(runtimeGlibc);
  if (!floor || !have) return undefined;
  if (compareVersions(parseVersion(floor)!, have) <= 0) return undefined;
  return (
    `crossbake: ${bin} needs glibc ${floor} (GLIBC_${floor}) but the runtime base ${baseImage} has glibc ${runtimeGlibc}; ` +
    `build with a toolchain whose glibc is not newer than the runtime's (the debian toolchain matches bookworm), or use a newer base image`
  );
}

/** One `crossbake: ...` line when the binary's ELF header is not the platform's (what xx-verify checks). */
export function machineProblem(bin: string, info: ElfInfo, platform: Platform): string | undefined {
  const armhf = platform.debianArch === 'armhf';
  if (info.machine === platform.elfMachine && info.class === platform.elfClass && (!armhf || armHardFloat(info))) return undefined;
  const got = `${info.machineName} ${info.class}-bit${info.machine === 40 && !armHardFloat(info) ? ' soft-float' : ''}`;
  return (
    `crossbake: ${bin} for ${platform.docker} is an ELF for ${got}, not ${platform.elfDescription}; ` +
    `the build used the wrong target or linker: it must be compiled with --target ${platform.rustTarget} and linked by ${platform.linker}`
  );
}
