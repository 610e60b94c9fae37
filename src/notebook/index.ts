/** choicelab notebook bindings: charts, tables, progress bars and report text for tslab notebooks. */
export { frontend, setFrontend, inNotebook, html, markdown, heading, escapeHtml } from './display';
export type { DisplayTarget, Frontend } from './display';
export { plot, plotHTML, plotPage, plotlyBundleHTML, toPlainJSON, normaliseLayout, resetPlotBundle } from './plot';
export type { Trace, Layout, PlotOptions } from './plot';
export { table } from './table';
export { tableHTML, tableText, formatValue } from '../core/format';
export type { TableInput, Columns, DataFrameLike, TableOptions } from '../core/format';
export { progress, progressHTML, progressText } from './progress';
export type { Progress, ProgressOptions } from './progress';
