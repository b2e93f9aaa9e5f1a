/**
 * One catalogue time-series panel drawn with uPlot: a line per series, limits dashed without fill, thresholds as
 * dashed lines, a tooltip with exact values, drag to zoom (the whole page follows). The panel element carries
 * data-series / data-points so tests (and curious users) can see what was drawn.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { PanelSpec } from '../../src/catalog/panels.ts';
import { formatTime, formatValue } from '../lib/format.ts';
import { colorOf, paletteColor, themeColors } from './colors.ts';

export interface DrawnSeries {
  label: string;
  values: Array<number | null>;
  limit: boolean;
  negative: boolean;
}

export const CHART_HEIGHT = 180;

interface Props {
  panel: PanelSpec;
  times: number[];
  series: DrawnSeries[];
  /** Called with the selected range (Unix seconds) when the user drags across the chart. */
  onZoom(fromS: number, toS: number): void;
  scheme: string;
}

function thresholdsPlugin(panel: PanelSpec): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const steps = panel.thresholds?.steps ?? [];
        const ctx = u.ctx;
        for (const s of steps) {
          const y = u.valToPos(s.value, 'y', true);
          if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
          ctx.save();
          ctx.strokeStyle = colorOf(s.color);
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, y);
          ctx.lineTo(u.bbox.left + u.bbox.width, y);
          ctx.stroke();
          ctx.restore();
        }
      },
    },
  };
}

function tooltipPlugin(panel: PanelSpec, series: DrawnSeries[]): uPlot.Plugin {
  const tip = document.createElement('div');
  tip.className = 'tooltip';
  tip.setAttribute('role', 'status');
  return {
    hooks: {
      init: (u) => {
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', () => {
          tip.style.display = 'none';
        });
      },
      setCursor: (u) => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
          tip.style.display = 'none';
          return;
        }
        tip.textContent = '';
        const head = document.createElement('div');
        head.className = 'tip-time';
        tip.appendChild(head);
        // Each series at its nearest point with a value (uPlot's hover skips gaps within a few pixels).
        let at = i;
        series.forEach((s, k) => {
          const j = u.cursor.idxs?.[k + 1] ?? i;
          const v = j === null ? null : u.data[k + 1][j];
          if (v === null || v === undefined || j === null) return;
          at = j;
          const line = document.createElement('div');
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = paletteColor(k);
          line.appendChild(swatch);
          line.appendChild(
            document.createTextNode(
              `${s.label}: ${formatValue(s.negative ? -v : v, panel.unit, true, panel.decimals)}`,
            ),
          );
          tip.appendChild(line);
        });
        head.textContent = formatTime(u.data[0][at] * 1000);
        tip.style.display = 'block';
        const w = u.over.clientWidth;
        const left = u.cursor.left + 12;
        tip.style.left = `${left + tip.offsetWidth > w ? Math.max(0, u.cursor.left - tip.offsetWidth - 12) : left}px`;
        tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - 10)}px`;
      },
    },
  };
}

function options(p: Props, width: number): uPlot.Options {
  const { fg, grid } = themeColors();
  const unit = p.panel.unit;
  const axisValues = (_u: uPlot, vals: number[]) => vals.map((v) => formatValue(Math.abs(v), unit));
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: {
      drag: { x: true, y: false, setScale: false },
      sync: { key: 'redoubt-instance' },
      hover: { skip: [null, undefined], prox: 24 },
    },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      x: { time: true },
      y: {
        range: (_u, min, max) => {
          if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
          const [lo, hi] = uPlot.rangeNum(min, max, 0.1, true);
          return [p.panel.min ?? (min >= 0 ? 0 : lo), p.panel.max ?? hi];
        },
      },
    },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: axisValues, size: 72 },
    ],
    series: [
      {},
      ...p.series.map((s, k) => ({
        label: s.label,
        stroke: paletteColor(k),
        width: 1.5,
        dash: s.limit ? [6, 4] : undefined,
        fill: s.limit || p.series.length > 3 ? undefined : `${paletteColor(k)}22`,
        spanGaps: false,
        points: { show: false },
      })),
    ],
    plugins: [thresholdsPlugin(p.panel), tooltipPlugin(p.panel, p.series)],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 4) {
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            p.onZoom(from, to);
          }
        },
      ],
    },
  };
}

export function TimeseriesChart(p: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(p);
  latest.current = p;
  // The chart is built once per set of series (and colour scheme); new data for the same series only redraws it,
  // so a live refresh neither flickers nor loses the cursor.
  const shape = `${p.scheme}|${p.series.map((s) => `${s.label}/${s.limit}/${s.negative}`).join('|')}`;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const now = latest.current;
    const data = [now.times, ...now.series.map((s) => s.values)] as uPlot.AlignedData;
    const u = new uPlot(options(now, Math.max(el.clientWidth, 200)), data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(el.clientWidth, 200);
      if (w !== u.width) u.setSize({ width: w, height: CHART_HEIGHT });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => {
    const u = plot.current;
    if (u && u.data[0] !== p.times) u.setData([p.times, ...p.series.map((s) => s.values)] as uPlot.AlignedData);
  }, [p.times, p.series]);
  return <div class="chart" ref={box} />;
}
