/** The catalogue's colour names and the series palette, read from the page's CSS (light or dark). */
import type { Color } from '../../src/catalog/panels.ts';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function colorOf(c: Color): string {
  return cssVar(`--c-${c}`);
}

export function paletteColor(i: number): string {
  return cssVar(`--s${i % 8}`);
}

export function themeColors(): { fg: string; grid: string; bg: string } {
  return { fg: cssVar('--muted'), grid: cssVar('--grid'), bg: cssVar('--panel') };
}
