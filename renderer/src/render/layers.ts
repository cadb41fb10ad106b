/**
 * Layered values: deep-merge of settings or chart values from several input files, remembering which file set each
 * leaf, so a problem found later points at the line a person wrote.
 */
import type { SourceLocation } from '../errors.js';
import type { DataPath, Source } from '../source.js';

export interface Layer {
  source: Source<unknown>;
  base: DataPath;
  value: unknown;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A mapping that holds keys from files: no prototype, so a key is only ever data (`__proto__` cannot reach
 * Object.prototype, and a missing key is never found on a prototype). The loader refuses the reserved keys too
 * (source.ts); this keeps the merge safe whatever its input.
 */
function dataObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/**
 * Deep-merges layers left to right; lists and scalars replace, mappings merge. Remembers which layer set each leaf;
 * `origin` turns that into file:line:col only when asked (a problem needs it), because locating every leaf of every
 * app in every cluster would cost more than the merge itself.
 */
export function mergeLayers(layers: Layer[]): { value: Record<string, unknown>; origin: (path: DataPath) => SourceLocation | undefined } {
  const setBy = new Map<string, Layer>();
  const result = dataObject();
  const walk = (target: Record<string, unknown>, value: Record<string, unknown>, layer: Layer, path: string) => {
    for (const key of Object.keys(value)) {
      const v = value[key];
      // NUL joins the keys: keys may hold dots (label and annotation names).
      const here = path ? `${path}\u0000${key}` : key;
      // Own keys only: in an object with a prototype, target['constructor'] would be a function found through it.
      const current = Object.hasOwn(target, key) ? target[key] : undefined;
      if (isPlainObject(v) && Object.keys(v).length > 0) {
        if (!isPlainObject(current)) target[key] = dataObject();
        walk(target[key] as Record<string, unknown>, v, layer, here);
      } else {
        target[key] = isPlainObject(v) ? Object.assign(dataObject(), isPlainObject(current) ? current : {}) : v;
        setBy.set(here, layer);
      }
    }
  };
  for (const layer of layers) if (isPlainObject(layer.value)) walk(result, layer.value, layer, '');
  const origin = (path: DataPath): SourceLocation | undefined => {
    const layer = setBy.get(path.join('\u0000'));
    return layer && { file: layer.source.file, ...layer.source.locate([...layer.base, ...path]) };
  };
  return { value: result, origin };
}
