// The Parquet write options every layer COPY uses, in one place.
//
// Why the row-group caps: DuckDB's Parquet writer buffers a whole row group per thread before compressing and
// flushing it (and with preserve_insertion_order=false every thread keeps its own). At the default 122,880 rows a
// wide Amplitude row group is ~200 MB per thread, outside what memory_limit governs well, so a transform's peak
// RSS depended on how wide and how many the rows were. 32,768 rows and at most 32 MB per row group (whichever comes
// first; the byte cap only applies with preserve_insertion_order=false, as the layer engine runs) keep the writer's
// buffers small and constant. Measured on 2M events per dt: the raw → Parquet COPY at ~370 MB peak instead of
// ~600–870 MB, with slightly less CPU; readers lose nothing measurable (row groups of 32k rows still compress well).
import type { ParquetCodec } from '../core/model.ts';

export const parquetWrite = {
  rowGroupRows: 32_768,
  rowGroupBytes: '32MB',
};

/** The option list of a `COPY … TO … (…)` writing Parquet with `codec`. */
export function parquetOptions(codec: ParquetCodec | string): string {
  return `FORMAT PARQUET, COMPRESSION ${codec}, ROW_GROUP_SIZE ${parquetWrite.rowGroupRows}, ROW_GROUP_SIZE_BYTES '${parquetWrite.rowGroupBytes}'`;
}
