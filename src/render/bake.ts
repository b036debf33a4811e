import { csvEntry } from '../csv.js';
import { generatedHeader } from '../generated.js';
import { BUILD_ALL, buildAllBins, type CacheSpec, DEPS, type Plan, SHARED_CACHE } from '../plan.js';
import { fill, templates } from '../templates.js';
import { cacheLists } from './cache.js';
import { hclLiteral } from './encode.js';

type Value = string | number | boolean | readonly Value[] | { readonly [key: string]: Value };

export interface BakeTarget {
  readonly [key: string]: Value;
}

export interface BakeDefinition {
  readonly variable: Record<string, { default: string }>;
  readonly function: Record<string, { params: string[]; result: string }>;
  readonly group: Record<string, { targets: string[] }>;
  readonly target: Record<string, BakeTarget>;
}

const COMMON = '_crossbake';

/** `image("backend", TAG)`: `backend:TAG`, or `REGISTRY/backend:TAG` once REGISTRY is set. */
const IMAGE_FUNCTION = {
  params: ['name', 'tag'],
  result: '${notequal(REGISTRY, "") ? "${REGISTRY}/${name}:${tag}" : "${name}:${tag}"}',
};

/** A reference resolved by bake; `tag` is an HCL expression (TAG, or a quoted template). */
function imageRef(image: string, tag: string): string {
  return `\${image("${image}", ${tag})}`;
}

const quoted = (template: string) => JSON.stringify(template);

const bakeRef = (image: string, tag?: string) => imageRef(image, tag === undefined ? 'TAG' : quoted(tag));

/** The bake definition as data; JSON and HCL are two spellings of it. */
export function bakeDefinition(plan: Plan): BakeDefinition {
  const target: Record<string, BakeTarget> = {
    [COMMON]: {
      // User text is escaped: buildx reads every string of a bake file, JSON or HCL, as a template.
      context: hclLiteral(plan.bake.context),
      dockerfile: hclLiteral(plan.bake.dockerfile),
      contexts: { [plan.skeleton.planner.context]: hclLiteral(plan.skeleton.planner.dir) },
      // Only the SBOM is named: buildx keeps adding its default provenance beside it.
      ...(plan.attest.sbom
        ? {
            attest: [
              hclLiteral(csvEntry([['type', 'sbom'], ...(plan.attest.generator ? [['generator', plan.attest.generator] as const] : [])])),
            ],
          }
        : {}),
      args: {
        RUNTIME_IMAGE: hclLiteral(plan.baseImages.runtime),
        DEBIAN_IMAGE: hclLiteral(plan.baseImages.debian),
        ...(plan.toolchain.kind === 'rustup' ? { RUST_IMAGE: hclLiteral(plan.toolchain.image) } : {}),
        // Every binary of this file; crossbake bake narrows it to the ones it builds.
        [BUILD_ALL.arg]: hclLiteral(buildAllBins(plan)),
        // The deps step compiles for the platforms this call builds: PLATFORMS=linux/amd64 compiles one.
        [DEPS.arg]: '${PLATFORMS}',
      },
    },
  };
  const caches = (spec: CacheSpec | undefined) => {
    if (!spec) return {};
    const { from, to } = cacheLists(spec, plan, bakeRef, hclLiteral);
    return { 'cache-from': from, 'cache-to': to } as Record<string, Value>;
  };
  for (const image of plan.selected) {
    // A platform target inherits only the common part: bake merges inherited cache-from lists.
    const stage = {
      inherits: [COMMON],
      target: image.stages.runtime,
      labels: {
        'org.opencontainers.image.title': hclLiteral(image.labels.title),
        'org.opencontainers.image.description': hclLiteral(image.labels.description),
      },
    };
    target[image.target] = {
      ...stage,
      platforms: '${split(",", PLATFORMS)}',
      tags: [imageRef(image.image, 'TAG')],
      ...caches(image.cache),
    };
    for (const p of image.platforms) {
      target[p.target] = {
        ...stage,
        platforms: [p.platform.docker],
        tags: [imageRef(image.image, quoted(`\${TAG}${p.tagSuffix}`))],
        ...caches(p.cache),
      };
    }
  }
  const group: Record<string, { targets: string[] }> = { default: { targets: plan.selected.map((i) => i.target) } };
  for (const image of plan.selected) group[image.group] = { targets: image.platforms.map((p) => p.target) };
  if (plan.sharedCache) {
    // No image: the stages every image of a platform shares, built only to write their cache.
    for (const p of plan.sharedCache.platforms) {
      target[p.target] = {
        inherits: [COMMON],
        target: plan.sharedCache.stage,
        args: Object.fromEntries(plan.sharedCache.slots.map((slot) => [slot.arg, hclLiteral(slot.value)])),
        platforms: [p.platform.docker],
        output: ['type=cacheonly'],
        ...caches(p.cache),
      };
    }
    group[SHARED_CACHE.target] = { targets: plan.sharedCache.platforms.map((p) => p.target) };
    const early = plan.sharedCache.early;
    if (early) {
      // On the build platform whatever the target platform: one target, no platforms, no image.
      const { 'cache-to': to } = caches(early.cache);
      target[early.target] = { inherits: [COMMON], target: early.stage, output: ['type=cacheonly'], ...(to ? { 'cache-to': to } : {}) };
    }
  }
  return {
    variable: {
      REGISTRY: { default: plan.registry ?? '' },
      TAG: { default: plan.tag },
      PLATFORMS: { default: plan.platforms.map((p) => p.docker).join(',') },
    },
    function: { image: IMAGE_FUNCTION },
    group,
    target,
  };
}

export function renderBakeJson(plan: Plan): string {
  return `${JSON.stringify(bakeDefinition(plan), null, 2)}\n`;
}

/** The `${...}` part that opens at `start`, or undefined when the braces do not close. */
function interpolationEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start + 2; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      else if (c === '$' && text[i + 1] === '{') {
        const end = interpolationEnd(text, i);
        if (end === undefined) return undefined;
        i = end;
      }
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** A bake string (an HCL template) in HCL syntax: a bare expression when it is one whole `${...}`. */
function hclString(value: string): string {
  if (value.startsWith('${') && interpolationEnd(value, 0) === value.length - 1) return value.slice(2, -1);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '$' && value[i + 1] === '{') {
      const end = interpolationEnd(value, i);
      if (end !== undefined) {
        out += value.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    out += JSON.stringify(value[i]).slice(1, -1);
  }
  return `"${out}"`;
}

function hclValue(value: Value, indent: string): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${hclValue(v as Value, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, Value>);
  const inner = `${indent}  `;
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} = ${hclValue(v, inner)}`).join('\n')}\n${indent}}`;
}

function hclBlock(kind: string, name: string, body: Record<string, Value>): string {
  const attrs = Object.entries(body).map(([k, v]) => `  ${k} = ${hclValue(v, '  ')}`);
  return `${kind} ${JSON.stringify(name)} {\n${attrs.join('\n')}\n}`;
}

export function renderBakeHcl(plan: Plan, source: string): string {
  const def = bakeDefinition(plan);
  return fill(templates.bakeHcl, {
    header: generatedHeader(source),
    variables: Object.entries(def.variable)
      .map(([k, v]) => hclBlock('variable', k, v))
      .join('\n\n'),
    functions: Object.entries(def.function)
      .map(([k, v]) => `function ${JSON.stringify(k)} {\n  params = [${v.params.join(', ')}]\n  result = ${hclString(v.result)}\n}`)
      .join('\n\n'),
    groups: Object.entries(def.group)
      .map(([k, v]) => hclBlock('group', k, v))
      .join('\n\n'),
    targets: Object.entries(def.target)
      .map(([k, v]) => hclBlock('target', k, v as Record<string, Value>))
      .join('\n\n'),
  });
}
