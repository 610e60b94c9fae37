import * as path from 'node:path';
import { createRequire } from 'node:module';
import { setWarningHandler } from '../core/errors';
import { escapeHtml } from '../core/format';
import { checkNumber } from '../core/validate';
export { escapeHtml } from '../core/format';

/** Something that shows rich output: a notebook cell's output area, or a test's recorder. */
export interface DisplayTarget {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

/** A notebook front end: shows output, and makes displays that later calls overwrite in place. */
export interface Frontend {
  display: DisplayTarget;
  newDisplay(): DisplayTarget;
}

interface TslabPublic extends Frontend {
  display: DisplayTarget & { raw(type: string, s: string): void };
}

let override: Frontend | null | undefined;
let detected: Frontend | null | undefined;

function detectTslab(): Frontend | null {
  // The kernel's main module is tslab's own; the display channel lives in *that* copy of
  // tslab, so resolve it from there rather than from this package (they may differ).
  const main = require.main?.filename;
  if (!main || !main.split(path.sep).includes('tslab')) return null;
  try {
    const fromKernel = createRequire(main);
    const tslab = fromKernel('tslab') as TslabPublic;
    const jupyter = fromKernel('tslab/dist/jupyter') as { lastWriteDisplayData: unknown };
    if (jupyter.lastWriteDisplayData == null) return null;
    return { display: tslab.display, newDisplay: () => tslab.newDisplay() };
  } catch {
    return null;
  }
}

/** The notebook front end when running inside a tslab kernel, else null. */
export function frontend(): Frontend | null {
  if (override !== undefined) return override;
  if (detected === undefined || detected === null) detected = detectTslab();
  return detected;
}

/** Replaces the front end (tests, other kernels); `undefined` restores detection. */
export function setFrontend(f: Frontend | null | undefined): void {
  override = f;
}

/** True when output goes to a notebook cell. */
export function inNotebook(): boolean {
  return frontend() !== null;
}


/** Shows raw HTML in the notebook (ignored outside one). */
export function html(s: string): void {
  frontend()?.display.html(s);
}

/** Shows markdown in the notebook, or prints it on a terminal. */
export function markdown(text: string): void {
  const f = frontend();
  if (f) f.display.markdown(text);
  else console.log(text);
}

/** Shows a heading (level 1–6) in a report. */
export function heading(text: string, level: 1 | 2 | 3 | 4 | 5 | 6 = 2): void {
  checkNumber('level', level, { min: 1, max: 6, integer: true });
  markdown(`${'#'.repeat(level)} ${text}`);
}

/**
 * In a notebook, choicelab warnings (e.g. "28 states were never observed") are shown in the cell
 * that raised them: process.emitWarning writes to the kernel's stderr, which the notebook does not
 * show. Outside a notebook they go where they went before.
 */
const warningsElsewhere = setWarningHandler((message) => {
  const f = frontend();
  if (f) f.display.html(`<div class="choicelab-warning" style="border-left:3px solid #d9822b;padding:2px 8px;color:#8a4b08">⚠ ${escapeHtml(message)}</div>`);
  else warningsElsewhere(message);
});
