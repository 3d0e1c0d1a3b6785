/** The response-time chart of a unit: uPlot on a canvas, mean and max per roll-up bucket, failures marked. */
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Rollup } from '../lib/types';

/** uPlot (and its CSS) load with the first chart, so the overview's first paint does not wait for them. */
const loadUplot = () => Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);

/** Reads a CSS custom property so the chart follows the light or dark theme. */
function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Mean and max response time per bucket; a bucket with failed runs is drawn on the failures series too. */
export function ResponseChart(props: { rollups: Rollup[]; label: string; from: number; to: number }) {
  const { rollups, label, from, to } = props;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || rollups.length === 0) return;
    let plot: uPlot | undefined;
    let resize: ResizeObserver | undefined;
    let gone = false;
    const xs = rollups.map((r) => r.bucketStart / 1000);
    const mean = rollups.map((r) => (r.runs > 0 ? r.durationSumMs / r.runs : null));
    const max = rollups.map((r) => (r.runs > 0 ? r.durationMaxMs : null));
    const failed = rollups.map((r) => (r.failedRuns + r.errorRuns > 0 ? r.durationMaxMs : null));
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 220,
      // The whole span is drawn, so a new unit's few buckets sit at the right end instead of filling the width.
      scales: { x: { time: true, range: [from / 1000, to / 1000] } },
      axes: [
        { stroke: cssVar('--muted', '#666'), grid: { stroke: cssVar('--grid', '#ddd') } },
        {
          stroke: cssVar('--muted', '#666'),
          grid: { stroke: cssVar('--grid', '#ddd') },
          values: (_u, ticks) => ticks.map((v) => `${v} ms`),
          size: 70,
        },
      ],
      series: [
        {},
        {
          label: 'mean',
          stroke: cssVar('--accent', '#2563eb'),
          width: 2,
          value: (_u, v) => (v == null ? '–' : `${Math.round(v)} ms`),
        },
        {
          label: 'max',
          stroke: cssVar('--muted', '#888'),
          dash: [4, 4],
          value: (_u, v) => (v == null ? '–' : `${Math.round(v)} ms`),
        },
        {
          label: 'failed (✖)',
          stroke: cssVar('--bad', '#c00'),
          width: 0,
          points: { show: true, size: 8, fill: cssVar('--bad', '#c00') },
          value: (_u, v) => (v == null ? '–' : 'failures'),
        },
      ],
    };
    void loadUplot().then((UPlot) => {
      if (gone) return;
      const p = new UPlot(opts, [xs, mean, max, failed], el);
      plot = p;
      resize = new ResizeObserver(() => p.setSize({ width: Math.max(280, el.clientWidth), height: 220 }));
      resize.observe(el);
    });
    return () => {
      gone = true;
      resize?.disconnect();
      plot?.destroy();
    };
  }, [rollups, from, to]);
  if (rollups.length === 0) return <p class="empty">No runs in this span yet: the chart fills as the unit runs.</p>;
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
