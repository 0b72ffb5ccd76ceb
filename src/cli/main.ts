// `eventlake` entry point.
import { buildProgram, reportError } from './program.ts';

const program = await buildProgram(process.argv);
program.exitOverride();
try {
  await program.parseAsync(process.argv);
  process.exitCode ??= 0;
} catch (err) {
  process.exitCode = reportError(err);
}
