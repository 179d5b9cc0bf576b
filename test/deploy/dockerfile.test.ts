import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/** The value the Dockerfile's ENV instructions give `name`, or undefined. */
function envValue(name: string): string | undefined {
  for (const line of dockerfile.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    const match = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(line.slice(4));
    if (match) return match[1];
  }
  return undefined;
}

describe('Dockerfile', () => {
  it('gives every service NODE_OPTIONS that node accepts', () => {
    const options = envValue('NODE_OPTIONS');
    assert.ok(options, 'the Dockerfile sets NODE_OPTIONS');
    // Node refuses most V8 options in NODE_OPTIONS and then exits before running anything.
    const run = spawnSync(process.execPath, ['-e', 'process.stdout.write("started")'], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: options },
      encoding: 'utf8',
    });
    assert.equal(run.stderr, '', `node with NODE_OPTIONS="${options}" wrote to stderr`);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, 'started');
  });
});
