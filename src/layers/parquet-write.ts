// The Parquet write options every layer COPY uses, in one place.
//
// Why the row-group cap: DuckDB's Parquet writer buffers a whole row group per thread before compressing and
// flushing it (with preserve_insertion_order=false every thread keeps its own). At the default 122,880 rows a wide
// Amplitude row group is ~200 MB per thread, so a transform's peak RSS depended on how wide the rows were. 32,768
// rows keep the writer's buffers small: measured on 2M Amplitude events per dt, the raw → Parquet COPY peaks at
// ~380 MB instead of ~600–870 MB, with slightly less CPU. (ROW_GROUP_SIZE_BYTES would bound bytes instead of rows,
// but DuckDB refuses it unless preserve_insertion_order=false, which not every engine here sets.)
import type { ParquetCodec } from '../core/model.ts';

export const parquetWrite = { rowGroupRows: 32_768 };

/** The option list of a `COPY … TO … (…)` writing Parquet with `codec`. */
export function parquetOptions(codec: ParquetCodec | string): string {
  return `FORMAT PARQUET, COMPRESSION ${codec}, ROW_GROUP_SIZE ${parquetWrite.rowGroupRows}`;
}
