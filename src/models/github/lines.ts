// Splits one raw GitHub .json.gz file into numbered lines for DuckDB, streaming (constant memory).
//
// Why a JS pass before DuckDB: DuckDB's line readers cannot give the physical line number of a record once a line
// is rejected (invalid UTF-8 shifts the count, CRLF and blank lines are counted differently), and the quarantine
// must name file + line. This pass only splits and checks bytes; all JSON parsing stays in DuckDB (models/github/*.sql).
//
// Output: <out> with one record per non-blank line: `<fileIdx>\x01<lineNo>\x01<json text>\n`. JSON text can never
// contain a raw \x01 (control characters must be escaped in JSON), so lines holding one are rejected here, like lines
// that are not valid UTF-8. Those rejects are streamed to <rejectsOut> as quarantine records
// {"file","line","reason","record"} (a record that is not UTF-8 is shown byte for byte as latin1).
import { createReadStream, createWriteStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { EventlakeError } from '../../core/errors.ts';
import { codec } from '../../codec/index.ts';

export interface SplitResult {
  /** Non-blank lines seen (written + rejected). */
  records: number;
  written: number;
  /** Lines rejected here (written to rejectsOut). */
  rejected: number;
  /** Line number of the last line when the file did not end with a newline (a possibly truncated last line), else 0. */
  unterminatedLastLine: number;
}

const NL = 0x0a;
const CR = 0x0d;
const SEP = 0x01;
const NL_BUF = Buffer.from('\n');
/** How much of a rejected line the quarantine record keeps. */
const MAX_REJECT_BYTES = 1 << 20;
/** Longest line handed to DuckDB (its CSV line limit in parse_events.sql is 16 MiB); longer ones are quarantined. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024 - 64;

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
  }
  return true;
}

export async function splitRawFile(file: string, fileIdx: number, out: string, rejectsOut: string, fileName: string): Promise<SplitResult> {
  const res: SplitResult = { records: 0, written: 0, rejected: 0, unterminatedLastLine: 0 };
  const ws = createWriteStream(out);
  const rs = createWriteStream(rejectsOut);
  let rejectText = '';
  const reject = (line: number, reason: string, record: string) => {
    res.rejected++;
    rejectText += JSON.stringify({ file: fileName, line, reason, record }) + '\n';
  };
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;

  // Output is gathered per input chunk and written once: per-line writes would dominate the cost.
  let pending: Buffer[] = [];
  let pendingLen = 0;
  const flush = async () => {
    if (rejectText) {
      const t = rejectText;
      rejectText = '';
      if (!rs.write(t)) await once(rs, 'drain');
    }
    if (!pendingLen) return;
    const buf = Buffer.concat(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    if (!ws.write(buf)) await once(ws, 'drain');
  };
  const emit = (b: Buffer) => {
    pending.push(b);
    pendingLen += b.length;
  };

  const handle = (line: Buffer) => {
    lineNo++;
    if (line.length && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length === 0 || isBlank(line)) return;
    res.records++;
    if (!isUtf8(line)) {
      reject(lineNo, 'invalid UTF-8', line.subarray(0, MAX_REJECT_BYTES).toString('latin1'));
      return;
    }
    if (line.length > MAX_LINE_BYTES) {
      reject(lineNo, `record too large: ${line.length} bytes (max ${MAX_LINE_BYTES})`, line.subarray(0, MAX_REJECT_BYTES).toString('utf8'));
      return;
    }
    if (line.indexOf(SEP) >= 0) {
      reject(lineNo, 'malformed JSON: raw control character', line.subarray(0, MAX_REJECT_BYTES).toString('utf8'));
      return;
    }
    res.written++;
    emit(Buffer.from(`${fileIdx}\x01${lineNo}\x01`, 'latin1'));
    emit(line);
    emit(NL_BUF);
  };

  try {
    // 128 KiB of gzip in per read (the gunzip bounds its own output, so this is only the read buffers): on a 50 MB
    // .json.gz, 1 MiB reads cost ~+20 MB peak RSS for no CPU gain, 64 KiB reads ~5% more CPU.
    const gz = createReadStream(file, { highWaterMark: 1 << 17 }).pipe(codec().createGunzip({ chunkSize: 1 << 18 }));
    for await (const chunk of gz as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NL, start);
        if (nl < 0) break;
        let line = chunk.subarray(start, nl);
        if (carryLen) {
          carry.push(line);
          line = Buffer.concat(carry, carryLen + line.length);
          carry = [];
          carryLen = 0;
        }
        handle(line);
        start = nl + 1;
      }
      if (start < chunk.length) {
        carry.push(chunk.subarray(start));
        carryLen += chunk.length - start;
      }
      await flush();
    }
    if (carryLen) {
      const last = Buffer.concat(carry, carryLen);
      const before = res.records;
      handle(last);
      if (res.records > before) res.unterminatedLastLine = lineNo;
      await flush();
    }
  } catch (e) {
    for (const w of [ws, rs]) {
      w.on('error', () => undefined);
      w.destroy();
    }
    throw new EventlakeError(`cannot read raw file ${file}: ${(e as Error).message} (bad gzip?)`, {
      step: 'transform.github',
      cause: e,
      context: { file, line: lineNo },
      next: 'check the raw file (`gzip -t`); re-extract the hour if it is corrupt',
    });
  }
  ws.end();
  rs.end();
  await Promise.all([once(ws, 'finish'), once(rs, 'finish')]);
  return res;
}
