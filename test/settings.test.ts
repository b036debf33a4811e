import t from 'tap';
import { CrossbakeError } from '../src/errors.js';
import { mergeLayers, PackageSettingsSchema, resolveBin, validateLayer, WorkspaceSettingsSchema } from '../src/settings/index.js';
import { WORKSPACE_KEYS } from '../src/settings/schema.js';

const resolveSettings = (...layers: unknown[]) => WorkspaceSettingsSchema.parse(mergeLayers(...layers));

function problems(value: unknown, schema = WorkspaceSettingsSchema): readonly string[] {
  try {
    validateLayer(schema, value, 'Cargo.toml', 'workspace.metadata.crossbake');
  } catch (error) {
    if (error instanceof CrossbakeError) return error.details;
    throw error;
  }
  return [];
}

t.test('every problem is reported as file: path: message', async (t) => {
  const found = problems({
    platfroms: ['linux/amd64'],
    platforms: ['linux/riscv64', 'arm64'],
    tag: 'no spaces allowed',
    cache: { type: 'disk' },
    defaults: { port: 0 },
  });
  t.same(found, [
    'Cargo.toml: workspace.metadata.crossbake.platforms[0]: unsupported platform "linux/riscv64"; supported: linux/amd64, linux/arm64, linux/arm/v7',
    'Cargo.toml: workspace.metadata.crossbake.tag: expected a Docker tag such as "latest" or "v1.2.3"',
    'Cargo.toml: workspace.metadata.crossbake.cache.type: Invalid option: expected one of "registry"|"local"|"gha"|"inline"|"none"',
    'Cargo.toml: workspace.metadata.crossbake.defaults.port: Too small: expected number to be >=1',
    `Cargo.toml: workspace.metadata.crossbake: Unrecognized key: "platfroms" (known keys: ${WORKSPACE_KEYS.join(', ')})`,
  ]);
});

t.test('flags are reported by their flag name', async (t) => {
  const error = t.throws(() => validateLayer(WorkspaceSettingsSchema, { toolchain: 'nightly' }, 'command line', 'flags')) as CrossbakeError;
  t.same(error.details, ['command line: --toolchain: Invalid option: expected one of "rustup"|"debian"']);
  t.equal(error.exitCode, 2);
});

t.test('platform spellings normalise to the table', async (t) => {
  const s = validateLayer(WorkspaceSettingsSchema, { platforms: ['arm64', 'linux/arm64/v8', 'armv7', 'x86_64'] }, 'f', 'p');
  t.same(s.platforms, ['linux/arm64', 'linux/arm64', 'linux/arm/v7', 'linux/amd64']);
});

t.test('defaults, then the workspace, then flags', async (t) => {
  const ws = { registry: 'ghcr.io/acme', tag: 'v1', cache: { mode: 'min' } };
  const flags = { tag: 'v2', cache: { type: 'gha' } };
  const s = resolveSettings(ws, flags);
  t.equal(s.tag, 'v2');
  t.equal(s.registry, 'ghcr.io/acme');
  t.same(s.cache, { type: 'gha', mode: 'min', compression: 'zstd', dir: '.crossbake/cache' });
  t.equal(s.toolchain, 'rustup');
  t.equal(resolveSettings({}, {}).cache.type, 'none', 'no registry: no registry cache');
  t.equal(resolveSettings({ registry: 'r.io/x' }, {}).cache.type, 'registry');
});

t.test('binary settings: workspace defaults, package, then bins.<name>', async (t) => {
  const s = resolveSettings({ defaults: { port: 8080, env: { A: '1' } } });
  const pkg = validateLayer(
    PackageSettingsSchema,
    { port: 9000, healthcheck: { retries: 5 }, bins: { worker: { image: 'team/worker', healthcheck: false } } },
    'f',
    'p',
  );
  const api = resolveBin('api', s, pkg);
  t.equal(api.port, 9000);
  t.same(api.healthcheck, { command: ['/app/api', '--healthcheck'], interval: '10s', timeout: '3s', startPeriod: '5s', retries: 5 });
  t.same(api.env, { A: '1' });
  const worker = resolveBin('worker', s, pkg);
  t.equal(worker.image, 'team/worker');
  t.equal(worker.healthcheck, undefined, 'healthcheck = false turns it off');
});

t.test("runtime: the workspace names every binary's, defaults, a package or bins.<name> override it", async (t) => {
  t.equal(resolveSettings({}).runtime, 'slim', 'slim by default');
  t.equal(resolveBin('api', resolveSettings({}), undefined).runtime, 'slim');
  const minimal = resolveSettings({ runtime: 'slim' }, { runtime: 'minimal' });
  t.equal(minimal.runtime, 'minimal', 'the --runtime flag wins over the file');
  t.equal(resolveBin('api', minimal, undefined).runtime, 'minimal', 'a binary without its own runtime takes the workspace one');
  const pkg = validateLayer(PackageSettingsSchema, { runtime: 'slim', bins: { worker: { runtime: 'minimal' } } }, 'f', 'p');
  t.equal(resolveBin('api', minimal, pkg).runtime, 'slim', "the package's own runtime wins for its binaries");
  t.equal(resolveBin('worker', resolveSettings({}), pkg).runtime, 'minimal', 'bins.<name> wins over its package');
  t.equal(resolveBin('api', resolveSettings({ defaults: { runtime: 'minimal' } }), undefined).runtime, 'minimal', 'defaults.runtime');
  t.same(problems({ runtime: 'alpine' }), [
    'Cargo.toml: workspace.metadata.crossbake.runtime: Invalid option: expected one of "slim"|"minimal"',
  ]);
});
