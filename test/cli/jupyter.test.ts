import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/cli';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('cli/jupyter (npm start)', function () {
  this.timeout(90_000);

  it('`choicelab jupyter` serves the classic notebook with the TypeScript (tslab) kernel', async () => {
    const port = await freePort();
    const token = 'choicelab-test';
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'choicelab.js'), 'jupyter', '--no-browser', `--port=${port}`, '--ip=127.0.0.1', `--NotebookApp.token=${token}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    try {
      let specs: { default: string; kernelspecs: Record<string, { spec: { display_name: string; language: string } }> } | undefined;
      for (let attempt = 0; attempt < 120 && !specs; attempt++) {
        await new Promise((r) => setTimeout(r, 500));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=${token}`);
          if (res.ok) specs = await res.json();
        } catch {
          // not listening yet
        }
      }
      assert.ok(specs, `Jupyter did not answer on port ${port}:\n${log}`);
      assert.equal(specs.kernelspecs.tslab?.spec.display_name, 'TypeScript');
      assert.equal(specs.kernelspecs.tslab.spec.language, 'typescript');
      const tree = await fetch(`http://127.0.0.1:${port}/api/contents?token=${token}`).then((r) => r.json() as Promise<{ content: { name: string }[] }>);
      assert.ok(tree.content.some((f) => f.name === '00-tour.ipynb'), 'it opens on the notebooks folder');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });
});
