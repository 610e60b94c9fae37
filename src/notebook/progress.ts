import { frontend, type DisplayTarget } from './display';
import { escapeHtml } from '../core/format';
import { checkKnownKeys, checkNumber } from '../core/validate';

/** A progress bar: updates one notebook output in place, or one terminal line. */
export interface Progress {
  /** Advances by `n` steps (default 1). */
  tick(n?: number): void;
  /** Sets the number of steps done. */
  update(done: number): void;
  /** Marks the work finished and draws the final state. */
  finish(): void;
  /** Steps done so far. */
  readonly done: number;
}

/** Options for {@link progress}. */
export interface ProgressOptions {
  /** What is being done, shown before the bar. */
  label?: string;
  /** Least milliseconds between redraws (default 100); the first and last draws always happen. */
  intervalMs?: number;
  /** Where terminal output goes (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

/** The bar as HTML (what a notebook shows). */
export function progressHTML(label: string, done: number, total: number, elapsedSeconds: number): string {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
  const eta = done > 0 && done < total ? ` · ${formatSeconds((elapsedSeconds * (total - done)) / done)} left` : '';
  return (
    `<div class="choicelab-progress" style="font-family:monospace;font-size:12px">` +
    `${label ? `${escapeHtml(label)} ` : ''}` +
    `<progress value="${done}" max="${total}" style="width:40%;vertical-align:middle"></progress> ` +
    `${pct.toFixed(0)}% (${done}/${total}) · ${formatSeconds(elapsedSeconds)}${eta}</div>`
  );
}

/** The bar as one line of text (what a terminal shows). */
export function progressText(label: string, done: number, total: number, elapsedSeconds: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const eta = done > 0 && done < total ? ` ${formatSeconds((elapsedSeconds * (total - done)) / done)} left` : '';
  return `${label ? `${label} ` : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * frac).toFixed(0)}% ${done}/${total} ${formatSeconds(elapsedSeconds)}${eta}`;
}

/**
 * A progress bar for `total` steps. In a notebook it redraws one output in place; on a
 * terminal it redraws one line; in logs (not a TTY) it prints a line every 10%.
 */
export function progress(total: number, options: ProgressOptions = {}): Progress {
  checkKnownKeys('progress options', options, ['label', 'intervalMs', 'stream']);
  checkNumber('total', total, { min: 0, integer: true });
  const intervalMs = checkNumber('intervalMs', options.intervalMs ?? 100, { min: 0 });
  const label = options.label ?? '';
  const stream = options.stream ?? process.stderr;
  const f = frontend();
  const target: DisplayTarget | null = f ? f.newDisplay() : null;
  const started = Date.now();
  let done = 0;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let finished = false;

  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < intervalMs) return;
    lastDraw = now;
    const elapsed = (now - started) / 1000;
    if (target) {
      target.html(progressHTML(label, done, total, elapsed));
    } else if (stream.isTTY) {
      stream.write(`\r${progressText(label, done, total, elapsed)}${finished ? '\n' : ''}`);
    } else {
      const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (decile !== lastDecile || finished) {
        lastDecile = decile;
        stream.write(`${progressText(label, done, total, elapsed)}\n`);
      }
    }
  };

  draw(true);
  return {
    tick(n = 1) {
      this.update(done + n);
    },
    update(value: number) {
      if (finished) return;
      done = Math.max(0, Math.min(total, checkNumber('done', value, { min: 0 })));
      if (done >= total) this.finish();
      else draw(false);
    },
    finish() {
      if (finished) return;
      finished = true;
      done = total;
      draw(true);
    },
    get done() {
      return done;
    },
  };
}
