/** Which colour a value takes from a panel's thresholds and value mappings (pure). */
import type { Color, Thresholds, ValueText } from '../../src/catalog/panels.ts';

export function thresholdColor(value: number, t: Thresholds | undefined): Color {
  if (!t) return 'text';
  let c = t.base;
  for (const s of t.steps) if (value >= s.value) c = s.color;
  return c;
}

/** The mapping for a number (or a label value), if the panel has one. */
export function mappingFor(value: number | string, mappings: ValueText[] | undefined): ValueText | undefined {
  return mappings?.find((m) => String(m.value) === String(value));
}
