/** The one table of supported target platforms: every renderer, check and message reads it. */
export interface Platform {
  /** Docker/OCI platform string, as in `--platform`. */
  readonly docker: string;
  readonly os: 'linux';
  /** Docker's TARGETARCH. */
  readonly arch: string;
  /** Docker's TARGETVARIANT, empty when none. */
  readonly variant: string;
  readonly rustTarget: string;
  readonly debianArch: string;
  /** Debian package with the cross C compiler used as linker when building on another arch. */
  readonly gccPackage: string;
  readonly libcDevPackage: string;
  readonly linker: string;
  /** qemu-user binfmt entry that runs this platform's binaries on another arch. */
  readonly qemu: string;
  /** What `file` prints for this platform's ELF binaries. */
  readonly elfDescription: string;
  /** The ELF header's e_machine and class for this platform's binaries (what xx-verify checks). */
  readonly elfMachine: number;
  readonly elfClass: 32 | 64;
  /** What `readelf -h` prints as Machine and Class for it (the in-build check reads the binary with readelf). */
  readonly readelfMachine: string;
  readonly readelfClass: 'ELF32' | 'ELF64';
  /** Debian's multiarch tuple: /usr/lib/<multiarch>, /usr/include/<multiarch>, pkg-config's directory. */
  readonly multiarch: string;
  /** e.g. linux-arm-v7: safe in tags, cache refs and target names. */
  readonly key: string;
}

function platform(p: Omit<Platform, 'os' | 'key' | 'readelfClass'>): Platform {
  const key = ['linux', p.arch, p.variant].filter(Boolean).join('-');
  return { os: 'linux', key, readelfClass: p.elfClass === 64 ? 'ELF64' : 'ELF32', ...p };
}

export const PLATFORMS: readonly Platform[] = [
  platform({
    docker: 'linux/amd64',
    arch: 'amd64',
    variant: '',
    rustTarget: 'x86_64-unknown-linux-gnu',
    debianArch: 'amd64',
    gccPackage: 'gcc-x86-64-linux-gnu',
    libcDevPackage: 'libc6-dev-amd64-cross',
    linker: 'x86_64-linux-gnu-gcc',
    qemu: 'qemu-x86_64',
    elfDescription: 'x86-64',
    elfMachine: 62,
    readelfMachine: 'Advanced Micro Devices X86-64',
    elfClass: 64,
    multiarch: 'x86_64-linux-gnu',
  }),
  platform({
    docker: 'linux/arm64',
    arch: 'arm64',
    variant: '',
    rustTarget: 'aarch64-unknown-linux-gnu',
    debianArch: 'arm64',
    gccPackage: 'gcc-aarch64-linux-gnu',
    libcDevPackage: 'libc6-dev-arm64-cross',
    linker: 'aarch64-linux-gnu-gcc',
    qemu: 'qemu-aarch64',
    elfDescription: 'ARM aarch64',
    elfMachine: 183,
    readelfMachine: 'AArch64',
    elfClass: 64,
    multiarch: 'aarch64-linux-gnu',
  }),
  platform({
    docker: 'linux/arm/v7',
    arch: 'arm',
    variant: 'v7',
    rustTarget: 'armv7-unknown-linux-gnueabihf',
    debianArch: 'armhf',
    gccPackage: 'gcc-arm-linux-gnueabihf',
    libcDevPackage: 'libc6-dev-armhf-cross',
    linker: 'arm-linux-gnueabihf-gcc',
    qemu: 'qemu-arm',
    elfDescription: 'ARM, EABI5',
    elfMachine: 40,
    readelfMachine: 'ARM',
    elfClass: 32,
    multiarch: 'arm-linux-gnueabihf',
  }),
];

export const SUPPORTED_PLATFORMS = PLATFORMS.map((p) => p.docker);

/** Accepts the usual spellings (`linux/arm64/v8`, `linux/armv7`, `arm64`) and returns the table row. */
export function findPlatform(name: string): Platform | undefined {
  const n = name.trim().toLowerCase();
  const aliases: Record<string, string> = {
    amd64: 'linux/amd64',
    x86_64: 'linux/amd64',
    'linux/x86_64': 'linux/amd64',
    arm64: 'linux/arm64',
    aarch64: 'linux/arm64',
    'linux/arm64/v8': 'linux/arm64',
    'linux/aarch64': 'linux/arm64',
    'arm/v7': 'linux/arm/v7',
    armv7: 'linux/arm/v7',
    'linux/armv7': 'linux/arm/v7',
    armhf: 'linux/arm/v7',
  };
  const canonical = aliases[n] ?? n;
  return PLATFORMS.find((p) => p.docker === canonical);
}
