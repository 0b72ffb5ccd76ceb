import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/load.ts';

async function inDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'el-cfg-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('defaults apply with no file; lake root resolves against cwd', () =>
  inDir(async (dir) => {
    const l = loadConfig({ cwd: dir, env: {} });
    assert.equal(l.file, undefined);
    assert.equal(l.lakeRoot, join(dir, 'lake'));
    assert.equal(l.config.amplitude.minAgeHours, 2);
    assert.equal(l.config.transform.codec, 'zstd');
  }));

test('a wrong type names the key and the file it was read from', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'eventlake.config.yaml'), 'amplitude:\n  concurrency: "lots"\n');
    assert.throws(
      () => loadConfig({ cwd: dir, env: {} }),
      (e: Error) => e instanceof ConfigError && /amplitude\.concurrency/.test(e.message) && e.message.includes(join(dir, 'eventlake.config.yaml')),
    );
  }));

test('unknown keys are reported with their full path', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'eventlake.config.yaml'), 'github:\n  gharchive:\n    baseUlr: http://x\n');
    assert.throws(() => loadConfig({ cwd: dir, env: {} }), /github\.gharchive\.baseUlr/);
  }));

test('env overrides win over the file and are named in errors', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'eventlake.config.yaml'), 'amplitude:\n  concurrency: 3\n');
    assert.equal(loadConfig({ cwd: dir, env: { EVENTLAKE_CFG__amplitude__concurrency: '5' } }).config.amplitude.concurrency, 5);
    assert.throws(() => loadConfig({ cwd: dir, env: { EVENTLAKE_CFG__amplitude__concurrency: '0' } }), /env EVENTLAKE_CFG__amplitude__concurrency/);
  }));

test('.env is loaded without overriding existing variables', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, '.env'), 'AMPLITUDE_API_KEY=from-dotenv\nOTHER=x\n');
    const env: NodeJS.ProcessEnv = { OTHER: 'kept' };
    loadConfig({ cwd: dir, env });
    assert.equal(env.AMPLITUDE_API_KEY, 'from-dotenv');
    assert.equal(env.OTHER, 'kept');
  }));

test('invalid YAML names the file', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'eventlake.config.yaml'), 'lake: [unclosed\n');
    assert.throws(() => loadConfig({ cwd: dir, env: {} }), /is not valid YAML/);
  }));
