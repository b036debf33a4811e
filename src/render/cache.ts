import type { CacheEntry, CacheSpec, Plan } from '../plan.js';
import { csvEntry } from './encode.js';

/** How a renderer names an image: the bake file through its image() function, others literally. */
export type ImageRef = (image: string, tag?: string) => string;

/** One cache entry as buildx's CSV form, which every buildx since 0.10 accepts (object form needs 0.19). */
function csv(entry: CacheEntry, direction: 'from' | 'to', plan: Plan, ref: ImageRef, literal: (text: string) => string): string {
  const exportOptions =
    direction === 'to'
      ? `,mode=${plan.cache.mode}${plan.cache.compression === 'gzip' ? '' : `,compression=${plan.cache.compression}`}`
      : '';
  switch (entry.type) {
    case 'registry':
      return `type=registry,ref=${ref(entry.image, entry.tag)}${exportOptions}`;
    case 'local':
      return (
        literal(csvEntry([['type', 'local'], direction === 'from' ? ['src', entry.dir] : ['dest', entry.dir]])) +
        (direction === 'to' ? exportOptions : '')
      );
    case 'gha':
      return `type=gha,scope=${entry.scope}${exportOptions}`;
    case 'inline':
      return 'type=inline';
  }
}

/** `literal` escapes user text for the destination (the bake file reads every string as a template). */
export function cacheLists(
  spec: CacheSpec,
  plan: Plan,
  ref: ImageRef,
  literal: (text: string) => string = (t) => t,
): { from: string[]; to: string[] } {
  return { from: spec.from.map((e) => csv(e, 'from', plan, ref, literal)), to: spec.to.map((e) => csv(e, 'to', plan, ref, literal)) };
}
