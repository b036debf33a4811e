import type { Platform } from '../platforms.js';
import type { ImagePlan, Plan } from '../plan.js';
import { fill, templates } from '../templates.js';
import { generatedHeader } from './header.js';

type Value = string | number | boolean | readonly Value[] | { readonly [key: string]: Value };

export interface BakeTarget {
  readonly [key: string]: Value;
}

export interface BakeDefinition {
  readonly variable: Record<string, { default: string }>;
  readonly group: Record<string, { targets: string[] }>;
  readonly target: Record<string, BakeTarget>;
}

const COMMON = '_crossbake';

/** `backend:TAG` or `REGISTRY/backend:TAG`, decided when bake evaluates REGISTRY. */
export function imageRef(image: string, tag: string): string {
  return `\${REGISTRY == "" ? "" : "\${REGISTRY}/"}${image}:${tag}`;
}

export function platformTargetName(image: ImagePlan, platform: Platform): string {
  return `${image.bin}-${platform.key}`;
}

function cacheKey(plan: Plan, image: ImagePlan, suffix: string): { from: string; to: string } | undefined {
  const mode = `,mode=${plan.cache.mode}`;
  switch (plan.cache.type) {
    case 'registry': {
      const ref = imageRef(image.image, `cache-${suffix}`);
      return { from: `type=registry,ref=${ref}`, to: `type=registry,ref=${ref}${mode}` };
    }
    case 'local': {
      const dir = `${plan.cache.dir}/${image.bin}-${suffix}`;
      return { from: `type=local,src=${dir}`, to: `type=local,dest=${dir}${mode}` };
    }
    case 'gha': {
      const scope = `crossbake-${image.bin}-${suffix}`;
      return { from: `type=gha,scope=${scope}`, to: `type=gha,scope=${scope}${mode}` };
    }
    case 'inline':
      return { from: `type=registry,ref=${imageRef(image.image, '${TAG}')}`, to: 'type=inline' };
    case 'none':
      return undefined;
  }
}

function platformVariable(plan: Plan): string {
  return plan.platforms.map((p) => p.docker).join(',');
}

/** The bake definition as data; JSON and HCL are two spellings of it. */
export function bakeDefinition(plan: Plan): BakeDefinition {
  const target: Record<string, BakeTarget> = {
    [COMMON]: {
      context: plan.bake.context,
      dockerfile: plan.bake.dockerfile,
      args: {
        BASE_IMAGE: plan.baseImage,
        ...(plan.toolchain.kind === 'rustup' ? { RUST_IMAGE: plan.toolchain.image } : {}),
      },
    },
  };
  for (const image of plan.selected) {
    const shared = cacheKey(plan, image, 'all');
    const perPlatform = plan.platforms.map((p) => cacheKey(plan, image, p.key)).filter((c) => c !== undefined);
    target[image.bin] = {
      inherits: [COMMON],
      target: image.runtimeStage,
      platforms: '${split(",", PLATFORMS)}',
      tags: [imageRef(image.image, '${TAG}')],
      labels: {
        'org.opencontainers.image.title': image.image,
        'org.opencontainers.image.description': `${image.bin} from Rust package ${image.package}`,
      },
      ...(shared ? { 'cache-from': [...perPlatform.map((c) => c.from), shared.from], 'cache-to': [shared.to] } : {}),
    };
    for (const p of plan.platforms) {
      const own = cacheKey(plan, image, p.key);
      target[platformTargetName(image, p)] = {
        inherits: [image.bin],
        platforms: [p.docker],
        tags: [imageRef(image.image, `\${TAG}-${p.key}`)],
        ...(own && shared ? { 'cache-from': [own.from, shared.from], 'cache-to': [own.to] } : {}),
      };
    }
  }
  const group: Record<string, { targets: string[] }> = { default: { targets: plan.selected.map((i) => i.bin) } };
  for (const image of plan.selected) {
    group[`${image.bin}-platforms`] = { targets: plan.platforms.map((p) => platformTargetName(image, p)) };
  }
  return {
    variable: {
      REGISTRY: { default: plan.registry ?? '' },
      TAG: { default: plan.tag },
      PLATFORMS: { default: platformVariable(plan) },
    },
    group,
    target,
  };
}

export function renderBakeJson(plan: Plan): string {
  return `${JSON.stringify(bakeDefinition(plan), null, 2)}\n`;
}

/** A string that is one whole `${...}` is an expression in HCL; any other is a quoted template. */
function hclValue(value: Value, indent: string): string {
  if (typeof value === 'string') {
    const whole = /^\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}$/.exec(value);
    if (whole && !value.slice(2, -1).includes('${')) return whole[1]!;
    return JSON.stringify(value);
  }
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
    variables: Object.entries(def.variable).map(([k, v]) => hclBlock('variable', k, v)).join('\n\n'),
    groups: Object.entries(def.group).map(([k, v]) => hclBlock('group', k, v)).join('\n\n'),
    targets: Object.entries(def.target).map(([k, v]) => hclBlock('target', k, v as Record<string, Value>)).join('\n\n'),
  });
}
