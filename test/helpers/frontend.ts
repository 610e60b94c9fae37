import { setFrontend, type DisplayTarget } from '../../src/notebook/display';

/** One recorded output: which display it went to and what it held. */
export interface Recorded {
  display: number;
  kind: 'html' | 'markdown' | 'text';
  content: string;
}

/** Installs a front end that records every output (display 0 is the cell's own output). */
export function recordingFrontend(): { outputs: Recorded[]; restore: () => void } {
  const outputs: Recorded[] = [];
  let displays = 0;
  const target = (display: number): DisplayTarget => ({
    html: (content) => outputs.push({ display, kind: 'html', content }),
    markdown: (content) => outputs.push({ display, kind: 'markdown', content }),
    text: (content) => outputs.push({ display, kind: 'text', content }),
  });
  setFrontend({ display: target(0), newDisplay: () => target(++displays) });
  return { outputs, restore: () => setFrontend(undefined) };
}
