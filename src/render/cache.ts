import type { CacheEntry, CacheSpec, Plan } from '../plan.js';

/** How a renderer names an image: the bake file through its image() function, others literally. */
export type ImageRef = (image: string, tag?: string) => string;

/** One cache entry as buildx's CSV form, which every buildx since 0.10 accepts (object form needs 0.19). */
function csv(entry: CacheEntry, direction: 'from' | 'to', plan: Plan, ref: ImageRef): string {
  const exportOptions =
    direction === 'to'
      ? `,mode=${plan.cache.mode}${plan.cache.compression === 'gzip' ? '' : `,compression=${plan.cache.compression}`}`
      : '';
  switch (entry.type) {
    case 'registry':
      return `type=registry,ref=${ref(entry.image, entry.tag)}${exportOptions}`;
    case 'local':
      return direction === 'from' ? `type=local,src=${entry.dir}` : `type=local,dest=${entry.dir}${exportOptions}`;
    case 'gha':
      return `type=gha,scope=${entry.scope}${exportOptions}`;
    case 'inline':
      return 'type=inline';
  }
}

export function cacheLists(spec: CacheSpec, plan: Plan, ref: ImageRef): { from: string[]; to: string[] } {
  return { from: spec.from.map((e) => csv(e, 'from', plan, ref)), to: spec.to.map((e) => csv(e, 'to', plan, ref)) };
}
