import type { Locale } from '../../format/format.ts';
import type { ChartOption } from './dashboard.echarts.ts';

/** One bar or point: its label on the axis, its figure, and the code a click drills down by. */
export interface Point {
  label: string;
  value: number | null;
  code?: string | null;
}

export interface Series {
  name: string;
  points: readonly Point[];
  kind: 'bar' | 'line';
  color: string;
}

const FONT = "system-ui, 'Segoe UI', 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif";

/**
 * A chart's option for the viewer's language: in Arabic the categories run right to left (an inverted x axis)
 * and the value axis stands on the right, as an Arabic reader scans; tooltips and legends are drawn on the canvas
 * (no HTML, so nothing the CSP would block) and format figures with `format` (the console's number formats).
 * No animation, so a printed report and a screenshot show the finished chart.
 */
export function chartOption(series: readonly Series[], locale: Locale, format: (value: number) => string, axis?: { min?: number; max?: number }): ChartOption {
  const rtl = locale === 'ar';
  const labels = series[0]?.points.map((p) => p.label) ?? [];
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: rtl ? 16 : 56, right: rtl ? 56 : 16, top: series.length > 1 ? 36 : 16, bottom: 48, containLabel: false },
    legend: series.length > 1 ? { top: 0, [rtl ? 'right' : 'left']: 8, data: series.map((s) => s.name) } : undefined,
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (value) => (typeof value === 'number' ? format(value) : '–') },
    xAxis: { type: 'category', data: labels, inverse: rtl, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', position: rtl ? 'right' : 'left', min: axis?.min, max: axis?.max, axisLabel: { formatter: (value: number) => format(value) } },
    series: series.map((s) =>
      s.kind === 'bar'
        ? { type: 'bar', name: s.name, itemStyle: { color: s.color }, data: s.points.map((p) => ({ value: p.value ?? '-', code: p.code ?? null })) }
        : {
            type: 'line',
            name: s.name,
            itemStyle: { color: s.color },
            lineStyle: { color: s.color },
            connectNulls: false,
            data: s.points.map((p) => ({ value: p.value ?? '-', code: p.code ?? null })),
          },
    ) as ChartOption['series'],
  };
}

/**
 * A breakdown as horizontal bars, longest first from the top, so long Arabic names read in full: in Arabic the
 * names stand on the right and the bars grow leftwards (an inverted value axis), in English the mirror image.
 */
export function barsOption(series: Series, locale: Locale, format: (value: number) => string): ChartOption {
  const rtl = locale === 'ar';
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 16, right: 16, top: 8, bottom: 24 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', valueFormatter: (value) => (typeof value === 'number' ? format(value) : '–') },
    yAxis: { type: 'category', data: series.points.map((p) => p.label), inverse: true, position: rtl ? 'right' : 'left', axisLabel: { interval: 0, width: 160, overflow: 'truncate' } },
    xAxis: { type: 'value', inverse: rtl, minInterval: 1, axisLabel: { formatter: (value: number) => format(value) } },
    series: [{ type: 'bar', name: series.name, itemStyle: { color: series.color }, cursor: 'pointer', data: series.points.map((p) => ({ value: p.value ?? '-', code: p.code ?? null })) }],
  };
}

/** A breakdown chart's height: room for each bar, within bounds. */
export function barsHeight(count: number): number {
  return Math.min(640, Math.max(160, 26 * count + 40));
}
