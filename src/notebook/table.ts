import { frontend } from './display';
import { tableHTML, tableText, type TableInput, type TableOptions } from '../core/format';

/** Shows a table in the notebook (HTML), or prints it on a terminal. */
export function table(data: TableInput, options: TableOptions = {}): void {
  const f = frontend();
  if (f) f.display.html(tableHTML(data, options));
  else console.log(tableText(data, options));
}
