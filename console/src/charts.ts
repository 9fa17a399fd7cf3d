// Time-series line charts (ECharts): those that grow with the live ticks, and a host page's
// history over a chosen range (drawn as SVG: its lines are paths the page can be checked by).
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";
import { fmtHM, fmtTime } from "./dom";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer, SVGRenderer]);

export { echarts };

const live: echarts.ECharts[] = [];

export function disposeCharts(): void {
  while (live.length) live.pop()!.dispose();
}

export function resizeCharts(): void {
  live.forEach((c) => c.resize());
}

export function chart(el: HTMLElement, renderer: "canvas" | "svg" = "canvas"): echarts.ECharts {
  const c = echarts.init(el, undefined, { renderer });
  live.push(c);
  return c;
}

export type Points = [number, number][];

export class TimeChart {
  private c: echarts.ECharts;
  private series = new Map<string, Points>();

  constructor(el: HTMLElement, private windowMs: number, private unit: "ratio" | "number" = "number") {
    this.c = chart(el);
    this.draw();
  }

  get size(): number {
    return this.series.size;
  }

  set(name: string, points: Points): void {
    this.series.set(name, points);
    this.draw();
  }

  add(name: string, ts: number, v: number): void {
    const p = this.series.get(name) ?? [];
    p.push([ts, v]);
    while (p.length && p[0][0] < ts - this.windowMs) p.shift();
    this.series.set(name, p);
  }

  draw(): void {
    const ratio = this.unit === "ratio";
    this.c.setOption({
      animation: false,
      grid: { left: 48, right: 12, top: this.series.size > 1 ? 28 : 10, bottom: 24 },
      tooltip: { trigger: "axis", axisPointer: { label: { formatter: (p: { value: number }) => fmtTime(p.value) } } },
      legend: this.series.size > 1 ? { top: 0, type: "scroll" } : undefined,
      xAxis: { type: "time", axisLabel: { formatter: (v: number) => fmtHM(v) } }, // in the console's zone
      yAxis: ratio ? { type: "value", min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } }
                   : { type: "value", min: 0 },
      // a lone point has no line to draw: show it as a dot until the next one comes
      series: [...this.series].map(([name, data]) => ({ name, type: "line", showSymbol: data.length < 2, data })),
    }, { replaceMerge: ["series"] });
  }
}

export type Unit = "ratio" | "number" | "bytes" | "bits";

// 1234567 -> "1.2 M" (base 1000, or 1024 for bytes).
export function scaled(v: number, unit: Unit): string {
  if (unit === "ratio") return `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
  const base = unit === "bytes" ? 1024 : 1000;
  const pre = ["", "k", "M", "G", "T", "P"];
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < pre.length - 1) { x /= base; i++; }
  const n = `${v < 0 ? "-" : ""}${x.toFixed(x < 10 && i ? 1 : x < 10 ? 2 : 0)}`;
  return unit === "bytes" ? `${n} ${i ? pre[i].toUpperCase() + "iB" : "B"}/s` : unit === "bits" ? `${n} ${pre[i]}bit/s` : `${n}${pre[i]}`;
}

// Points of a line with gaps: a null value breaks it.
export type GapPoints = [number, number | null][];

// A chart of lines over [from, to]: each series its points (time, value), gaps where none; the
// legend when there are several lines, or always when each names a thing (a mount point).
export function rangeChart(el: HTMLElement, from: number, to: number, unit: Unit, series: { name: string; points: GapPoints }[],
                           legend = series.length > 1): echarts.ECharts {
  const c = chart(el, "svg");
  const fmt = (v: number) => scaled(v, unit);
  const long = to - from > 2 * 86400000;
  const dim = "#8aa0b2", line = "#26323f"; // style.css's --dim and --line
  c.setOption({
    animation: false,
    grid: { left: 8, right: 16, top: legend ? 30 : 10, bottom: 4, containLabel: true },
    tooltip: { trigger: "axis", confine: true, valueFormatter: (v: number) => (typeof v === "number" ? fmt(v) : "-"),
               axisPointer: { label: { formatter: (p: { value: number }) => fmtTime(p.value) } } },
    legend: legend ? { top: 0, type: "scroll", textStyle: { color: dim }, pageTextStyle: { color: dim } } : undefined,
    xAxis: { type: "time", min: from, max: to, axisLine: { lineStyle: { color: line } },
             axisLabel: { color: dim, hideOverlap: true, formatter: (v: number) => (long ? fmtTime(v).slice(5, 10) : fmtHM(v)) } },
    yAxis: { type: "value", min: 0, max: unit === "ratio" ? 1 : undefined, splitLine: { lineStyle: { color: line } },
             axisLabel: { color: dim, formatter: fmt } },
    series: series.map((x) => ({ name: x.name, type: "line", showSymbol: x.points.length < 2, connectNulls: false,
                                 data: x.points })),
  });
  return c;
}
