import * as fs from 'node:fs';
import { frontend } from './display';
import { escapeHtml } from '../core/format';
import { invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';

/** One plotly trace (`{ type: 'scatter', x, y, ... }`); typed arrays are accepted anywhere. */
export type Trace = Record<string, unknown>;

/** A plotly layout (`{ title, xaxis: { title }, ... }`). */
export type Layout = Record<string, unknown>;

/** Options for {@link plot} and {@link plotHTML}. */
export interface PlotOptions {
  /** Height of the chart in pixels (default 420). */
  height?: number;
  /** Plotly config (default: responsive, no logo). */
  config?: Record<string, unknown>;
}

const defaults = { height: 420, config: { responsive: true, displaylogo: false } } as const;

let bundleShown = false;
let plotCounter = 0;

/** Converts typed arrays to plain arrays and non-finite numbers to null, as JSON needs. */
export function toPlainJSON(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  }
  if (Array.isArray(value)) return value.map(toPlainJSON);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlainJSON(v);
    return out;
  }
  return value;
}

/**
 * plotly.js 3 dropped string titles (`title: 'x'`); accept them and write `{ text: 'x' }`
 * for the layout and every axis, so the short form people know still works.
 */
export function normaliseLayout(layout: Layout): Layout {
  const out: Layout = { ...layout };
  const fix = (obj: Record<string, unknown>) => {
    if (typeof obj.title === 'string') obj.title = { text: obj.title };
  };
  fix(out);
  for (const key of Object.keys(out)) {
    if (/^(x|y|z)axis\d*$/.test(key) && out[key] !== null && typeof out[key] === 'object') {
      out[key] = { ...(out[key] as Record<string, unknown>) };
      fix(out[key] as Record<string, unknown>);
    }
  }
  return out;
}

/** JSON that is safe inside a <script> element. */
function scriptJSON(value: unknown): string {
  return JSON.stringify(toPlainJSON(value)).replace(/</g, '\\u003c');
}

/**
 * The plotly.js bundle as one <script>. Its UMD header must not see the notebook's AMD
 * loader (require.js defines `define`), or it registers a module instead of `window.Plotly`.
 */
export function plotlyBundleHTML(): string {
  const source = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return (
    '<script type="text/javascript">(function (define, module, exports) {\n' +
    source +
    '\n}).call(window, undefined, undefined, undefined);</script>'
  );
}

function validateTraces(data: Trace | Trace[]): Trace[] {
  const traces = Array.isArray(data) ? data : [data];
  if (traces.length === 0) throw invalidOption('data', 'at least one trace', data);
  traces.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      throw invalidOption(`data[${i}]`, 'a plotly trace object such as { x, y, type: "scatter" }', t);
    }
  });
  return traces;
}

/** The HTML of one chart: a div and the script that draws it (needs `window.Plotly`). */
export function plotHTML(data: Trace | Trace[], layout: Layout = {}, options: PlotOptions = {}): string {
  checkKnownKeys('plot options', options, ['height', 'config']);
  const traces = validateTraces(data);
  const height = checkNumber('height', options.height ?? defaults.height, { min: 50, max: 5000 });
  const id = `choicelab-plot-${process.pid.toString(36)}-${++plotCounter}`;
  const fullLayout = { height, margin: { t: 50, r: 20, b: 50, l: 60 }, ...normaliseLayout(layout) };
  const config = { ...defaults.config, ...(options.config ?? {}) };
  return (
    `<div id="${escapeHtml(id)}" class="choicelab-plot" style="width:100%;min-height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  if (!window.Plotly) { el.textContent = 'plotly.js is not loaded here: run the notebook again to draw this chart.'; return; }\n` +
    `  window.Plotly.newPlot(el, ${scriptJSON(traces)}, ${scriptJSON(fullLayout)}, ${scriptJSON(config)});\n` +
    `})();</script>`
  );
}

/**
 * Draws a plotly chart in the notebook; the bundle is embedded once per kernel session, so
 * the exported HTML report draws offline. Outside a notebook it does nothing (see plotHTML).
 */
export function plot(data: Trace | Trace[], layout: Layout = {}, options: PlotOptions = {}): void {
  const chart = plotHTML(data, layout, options);
  const f = frontend();
  if (!f) return;
  if (!bundleShown) {
    f.display.html(plotlyBundleHTML());
    bundleShown = true;
  }
  f.display.html(chart);
}

/** A self-contained HTML page of charts (the plotly bundle inlined), for scripts and CLIs. */
export function plotPage(charts: string[], title = 'choicelab'): string {
  return (
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n` +
    `${plotlyBundleHTML()}\n</head><body>\n${charts.join('\n')}\n</body></html>\n`
  );
}

/** Forgets that the bundle was embedded (after a kernel restart the notebook page has none). */
export function resetPlotBundle(): void {
  bundleShown = false;
}
