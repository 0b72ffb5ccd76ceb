// Builds the optional native addons with npm's node-gyp. Run by `npm ci` (postinstall) and `npm run build:native`.
// - native/igzip: the ISA-L igzip codec (Debian package libisal-dev). Without libisal-dev it says so: eventlake then
//   uses Node's zlib (same results, 3-5x more CPU for inflate/deflate).
// - native/event-scan: the collector's GitHub event byte scanner (plain C, no library). Not built: the JS scanner is
//   used (same answers, ~3x more CPU per event: 2.7 vs 0.86 µs).
// - native/base64: the collector's base64 decoder for PutRecordBatch bodies (plain C, AVX2 when the CPU has it). Not
//   built: Node's decoder through strings is used (same answers, more copies and garbage per request).
// A failure only warns (exit 0); EVENTLAKE_REQUIRE_NATIVE=1 makes it an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.env.EVENTLAKE_REQUIRE_NATIVE === '1';
const npmDir = process.env.npm_execpath ? dirname(dirname(process.env.npm_execpath)) : undefined;
const nodeGyp = [process.env.npm_config_node_gyp, npmDir && join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js')].find((p) => p && existsSync(p));
let failed = false;

/** Builds native/<name>; returns false (after saying why and what is used instead) when it could not. */
function build(name, output, fallback, precheck) {
  const why = precheck?.() ?? (nodeGyp ? undefined : 'node-gyp not found (run this through npm: npm run build:native)');
  const r = why ? undefined : spawnSync(process.execPath, [nodeGyp, 'rebuild', '--loglevel=warn'], { cwd: fileURLToPath(new URL(`../native/${name}/`, import.meta.url)), stdio: ['ignore', 'inherit', 'inherit'] });
  const problem = why ?? (r.status !== 0 ? `node-gyp exited ${r.status}` : undefined);
  if (problem) {
    console.error(`eventlake: native ${name} not built: ${problem}. Falling back to ${fallback}.`);
    failed = true;
  } else console.error(`eventlake: native ${name} built (native/${name}/build/Release/${output})`);
}

build('igzip', 'igzip.node', 'node:zlib', () => (existsSync('/usr/include/isa-l/igzip_lib.h') ? undefined : 'ISA-L headers missing (apt install libisal-dev)'));
build('event-scan', 'event_scan.node', 'the JS GitHub event scanner');
build('base64', 'base64.node', "Node's base64 decoder");
process.exit(failed && strict ? 1 : 0);
