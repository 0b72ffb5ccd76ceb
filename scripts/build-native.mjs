// Builds the optional native codec native/igzip (ISA-L igzip, Debian package libisal-dev) with npm's node-gyp.
// Run by `npm ci` (postinstall) and `npm run build:native`. Without libisal-dev it says so and exits 0: eventlake then
// uses Node's zlib (same results, 3-5x more CPU for inflate/deflate). EVENTLAKE_REQUIRE_NATIVE=1 makes that an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/igzip/', import.meta.url));
const strict = process.env.EVENTLAKE_REQUIRE_NATIVE === '1';
const skip = (why) => {
  console.error(`eventlake: native igzip codec not built: ${why}. Falling back to node:zlib.`);
  process.exit(strict ? 1 : 0);
};

if (!existsSync('/usr/include/isa-l/igzip_lib.h')) skip('ISA-L headers missing (apt install libisal-dev)');
const npmDir = process.env.npm_execpath ? dirname(dirname(process.env.npm_execpath)) : undefined;
const nodeGyp = [process.env.npm_config_node_gyp, npmDir && join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js')].find((p) => p && existsSync(p));
if (!nodeGyp) skip('node-gyp not found (run this through npm: npm run build:native)');
const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--loglevel=warn'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) skip(`node-gyp exited ${r.status}`);
console.error('eventlake: native igzip codec built (native/igzip/build/Release/igzip.node)');
