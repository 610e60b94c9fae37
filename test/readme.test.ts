import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers/cli';

describe('README and CI', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)![1];
  const commands = firstBlock.trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());

  it('the README starts with the two commands: run the notebooks, and pass the tests', () => {
    const firstAfterTitle = readme.split('\n').slice(1).find((l) => l.trim() !== '');
    assert.equal(firstAfterTitle, '```sh', 'the commands come right after the title');
    assert.equal(commands.length, 2);
    assert.match(commands[0], /^npm ci && .*npm run notebooks$/);
    assert.match(commands[1], /^npm ci && .*npm test$/);
  });

  it('.ci/run calls the README test command verbatim', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    assert.ok(ci.split('\n').some((line) => line.trim() === commands[1]), `.ci/run should run: ${commands[1]}`);
  });

  it('every npm script the README names exists', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const [, name] of readme.matchAll(/npm run ([\w:-]+)/g)) assert.ok(scripts[name], `npm run ${name}`);
  });
});
