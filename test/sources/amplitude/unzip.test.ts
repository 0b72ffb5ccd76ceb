import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, promises as fs } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { unzipExport, writeExportZip, startAmplitudeDevServer, type Fault } from '../../../src/sources/amplitude/index.ts';
import { EventlakeError } from '../../../src/core/errors.ts';
import { REPO, SAMPLES, SAMPLE_FILES, filesUnder, tempDir } from './helpers.ts';

const limits = { maxEntries: 1000, maxEntryBytes: 1024 ** 3, maxTotalUncompressedBytes: 1024 ** 4, maxCompressionRatio: 100 };

/** A zip exactly as the dev server answers it (optionally with a fault), saved to a file. */
async function downloadZip(dir: string, fault?: Fault): Promise<string> {
  const srv = await startAmplitudeDevServer({ data: SAMPLES, fault: fault ? () => fault : undefined });
  try {
    const res = await fetch(`${srv.url}/api/2/export?start=20261101T00&end=20261101T05`, {
      headers: { authorization: 'Basic ' + Buffer.from('dev-api-key:dev-secret-key').toString('base64') },
    });
    assert.equal(res.status, 200);
    const p = join(dir, 'export.zip');
    writeFileSync(p, Buffer.from(await res.arrayBuffer()));
    return p;
  } finally {
    await srv.close();
  }
}

test('unzip writes one NDJSON file per entry, byte-identical to gunzip of the entry, named as the seed names them', async () => {
  const dir = tempDir();
  try {
    const zip = await downloadZip(dir);
    const out = join(dir, 'data');
    const s = await unzipExport({ zip, outDir: out, limits, concurrency: 3 });
    const expected = SAMPLE_FILES.map((f) => f.replace(/\.gz$/, '')).sort();
    assert.deepEqual(await filesUnder(out), expected);
    for (const f of SAMPLE_FILES) {
      assert.ok(readFileSync(join(out, f.replace(/\.gz$/, ''))).equals(gunzipSync(readFileSync(join(SAMPLES, f)))), f);
    }
    assert.equal(s.files.length, SAMPLE_FILES.length);
    assert.equal(s.bytes, SAMPLE_FILES.reduce((n, f) => n + gunzipSync(readFileSync(join(SAMPLES, f))).length, 0));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('unzip produces the same output as the seed procedure (python3 bench/seed/amplitude_unzip.py)', async (t) => {
  if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 not installed');
  const dir = tempDir();
  try {
    const zip = join(dir, 'export.zip');
    await writeExportZip(SAMPLE_FILES.map((f) => join(SAMPLES, f)), zip);
    const seedOut = join(dir, 'seed');
    const r = spawnSync('python3', [join(REPO, 'bench/seed/amplitude_unzip.py'), zip, seedOut]);
    assert.equal(r.status, 0, r.stderr?.toString());
    const ours = join(dir, 'ours');
    await unzipExport({ zip, outDir: ours, limits });
    const seedFiles = await filesUnder(seedOut);
    assert.deepEqual(await filesUnder(ours), seedFiles);
    for (const f of seedFiles) assert.ok(readFileSync(join(ours, f)).equals(readFileSync(join(seedOut, f))), f);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

for (const entry of ['zip-slip', 'absolute', 'symlink', 'bomb'] as const) {
  test(`unzip refuses a hostile zip (${entry}) and writes nothing`, async () => {
    const dir = tempDir();
    try {
      const zip = await downloadZip(dir, { kind: 'hostile', entry });
      const out = join(dir, 'data');
      await assert.rejects(unzipExport({ zip, outDir: out, limits }), (e: EventlakeError) => /^ZIP_/.test(e.code ?? '') && /hostile zip export\.zip/.test(e.message));
      assert.deepEqual(await filesUnder(out), []);
      assert.deepEqual(await filesUnder(dir), ['export.zip']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}

test('unzip stops an inflation bomb inside a gzip entry and leaves nothing behind', async () => {
  const dir = tempDir();
  try {
    const zip = await downloadZip(dir, { kind: 'hostile', entry: 'gzip-bomb' });
    const out = join(dir, 'data');
    await assert.rejects(unzipExport({ zip, outDir: out, limits }), (e: EventlakeError) => e.code === 'ZIP_BOMB');
    assert.deepEqual(await filesUnder(out), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('unzip names the truncated gzip entry and leaves no partial output', async () => {
  const dir = tempDir();
  try {
    const zip = await downloadZip(dir, { kind: 'truncated-gzip' });
    const out = join(dir, 'data');
    await assert.rejects(unzipExport({ zip, outDir: out, limits }), (e: EventlakeError) => e.code === 'GZIP_CORRUPT' && e.message.includes('entry 187520/187520_2026-11-01_5#0.json.gz'));
    assert.deepEqual(await filesUnder(out), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('unzip names a corrupt zip', async () => {
  const dir = tempDir();
  try {
    const zip = await downloadZip(dir, { kind: 'corrupt-zip' });
    await assert.rejects(unzipExport({ zip, outDir: join(dir, 'data'), limits }), (e: EventlakeError) => e.code === 'ZIP_CORRUPT' && /corrupt zip export\.zip/.test(e.message));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
