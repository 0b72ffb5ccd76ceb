// ECharts (bundled, tree-shaken: only the chart types and components used here) and the option builders of the panels.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { Row } from './api.ts';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, DataZoomComponent, CanvasRenderer]);

export type Chart = echarts.ECharts;
export type Option = echarts.EChartsCoreOption;

export function mountChart(el: HTMLElement): Chart {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/** Long rows (x, series, value) -> x values, series names in first-seen order, and a value grid (0 when absent). */
export function pivot(rows: Row[], x: string, series: string, value: string): { xs: string[]; names: string[]; values: Map<string, number[]> } {
  const xs = [...new Set(rows.map((r) => String(r[x])))].sort();
  const names: string[] = [];
  const values = new Map<string, number[]>();
  const ix = new Map(xs.map((v, i) => [v, i]));
  for (const r of rows) {
    const n = String(r[series]);
    let arr = values.get(n);
    if (!arr) {
      arr = xs.map(() => 0);
      values.set(n, arr);
      names.push(n);
    }
    arr[ix.get(String(r[x]))!]! += num(r[value]);
  }
  return { xs, names, values };
}

const axisTooltip = { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true } as const;
const legend = (names: string[]) => ({ type: 'scroll', bottom: 0, data: names });
const grid = { left: 56, right: 16, top: 36, bottom: 64, containLabel: true };

/** Time series per series name: lines over several days, grouped bars for a single day. */
export function timeSeriesOption(title: string, yName: string, rows: Row[], x: string, series: string, value: string, o: { stack?: boolean } = {}): Option {
  const { xs, names, values } = pivot(rows, x, series, value);
  const type = xs.length > 1 && !o.stack ? 'line' : 'bar';
  return {
    title: { text: title, right: 8, top: 0, textStyle: { fontSize: 12, fontWeight: 500, color: '#6b7385' } },
    animationDuration: 300,
    tooltip: axisTooltip,
    legend: legend(names),
    grid,
    xAxis: { type: 'category', name: 'day', nameLocation: 'middle', nameGap: 28, data: xs },
    yAxis: { type: 'value', name: yName, nameLocation: 'end', minInterval: 1 },
    dataZoom: xs.length > 31 ? [{ type: 'inside' }] : [],
    series: names.map((n) => ({ name: n, type, stack: o.stack ? 'total' : undefined, data: values.get(n), showSymbol: true, emphasis: { focus: 'series' } })),
  };
}

/** Ranked horizontal bars (largest on top). */
export function rankedBarOption(title: string, xName: string, rows: Row[], label: string, value: string, o: { flag?: string; flagName?: string } = {}): Option {
  const cats = rows.map((r) => String(r[label]));
  const main = rows.map((r) => (o.flag && r[o.flag] ? 0 : num(r[value])));
  const flagged = rows.map((r) => (o.flag && r[o.flag] ? num(r[value]) : 0));
  const barLabel = { show: true, position: 'right', formatter: (p: { value: number }) => (p.value ? String(p.value) : '') };
  const series: object[] = [{ name: value.replace(/_/g, ' '), type: 'bar', stack: 'v', data: main, label: barLabel }];
  if (o.flag) series.push({ name: o.flagName ?? o.flag, type: 'bar', stack: 'v', data: flagged, label: barLabel });
  return {
    title: { text: title, right: 8, top: 0, textStyle: { fontSize: 12, fontWeight: 500, color: '#6b7385' } },
    animationDuration: 300,
    tooltip: { ...axisTooltip, formatter: undefined },
    legend: legend(series.map((s) => (s as { name: string }).name)),
    grid: { ...grid, right: 40 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 28, minInterval: 1 },
    yAxis: { type: 'category', data: cats, inverse: true, axisLabel: { width: 140, overflow: 'truncate' } },
    series,
  };
}

const STATUS_COLOR: Record<string, string> = { succeeded: '#2e9e5b', failed: '#d64545', running: '#3b7dd8', abandoned: '#9a9a9a' };

/** Duration of recent runs, one bar per run, coloured by status. */
export function runsOption(runs: { runId: string; pipeline: string; window: string; status: string; durationMs?: number }[]): Option {
  const ordered = [...runs].reverse();
  const statuses = [...new Set(ordered.map((r) => r.status))];
  return {
    title: { text: 'Recent runs: duration', right: 8, top: 0, textStyle: { fontSize: 12, fontWeight: 500, color: '#6b7385' } },
    animationDuration: 300,
    tooltip: { trigger: 'axis', confine: true },
    legend: legend(statuses),
    grid,
    xAxis: { type: 'category', name: 'run', nameLocation: 'middle', nameGap: 28, data: ordered.map((r) => `${r.pipeline} ${r.window}`), axisLabel: { show: false } },
    yAxis: { type: 'value', name: 'seconds' },
    series: statuses.map((s) => ({
      name: s,
      type: 'bar',
      stack: 'runs',
      itemStyle: { color: STATUS_COLOR[s] ?? '#888' },
      data: ordered.map((r) => (r.status === s ? Math.round((r.durationMs ?? 0) / 100) / 10 : null)),
    })),
  };
}
