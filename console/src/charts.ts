// Time-series line charts (ECharts) that grow with the live ticks.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { fmtHM, fmtTime } from "./dom";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };

const live: echarts.ECharts[] = [];

export function disposeCharts(): void {
  while (live.length) live.pop()!.dispose();
}

export function resizeCharts(): void {
  live.forEach((c) => c.resize());
}

export function chart(el: HTMLElement): echarts.ECharts {
  const c = echarts.init(el);
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
