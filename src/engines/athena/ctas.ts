// Builds a dt-partitioned Parquet table on Athena: drop the old catalog entry and data (a rebuild replaces, never
// appends), one CTAS for the first ≤100 partitions, then INSERT INTO per further chunk of ≤100.
import type { GlueApi } from '../../cloud/aws/glue.ts';
import type { QueryOutcome } from '../../cloud/aws/athena.ts';
import { EventlakeError } from '../../core/errors.ts';
import type { AthenaEngine } from './athena-engine.ts';
import { ctasStatements, type CtasPlan } from './athena-sql.ts';

export interface CtasRunOptions {
  glue?: GlueApi;
  /** Empties the external_location (CTAS refuses a non-empty one); returns objects deleted. */
  clearLocation?: () => Promise<number>;
  onStatement?: (index: number, total: number, outcome: QueryOutcome) => void;
}

export interface CtasRunResult {
  statements: string[];
  outcomes: QueryOutcome[];
  droppedTable: boolean;
  clearedObjects: number;
}

export async function runCtas(engine: AthenaEngine, plan: CtasPlan, o: CtasRunOptions = {}): Promise<CtasRunResult> {
  const statements = ctasStatements(plan);
  const droppedTable = o.glue ? await o.glue.deleteTable(plan.database, plan.table) : false;
  const clearedObjects = o.clearLocation ? await o.clearLocation() : 0;
  const outcomes: QueryOutcome[] = [];
  for (const [i, sql] of statements.entries()) {
    try {
      outcomes.push(await engine.execute(sql));
    } catch (e) {
      throw new EventlakeError(`${i === 0 ? 'CTAS' : `INSERT INTO chunk ${i + 1}/${statements.length}`} for ${plan.database}.${plan.table} failed`, {
        step: 'engine.athena',
        cause: e,
        retryable: (e as EventlakeError).retryable ?? false,
        next: `eventlake athena ctas --table ${plan.table} … (the rebuild drops and recreates the table, so a rerun is safe)`,
        code: (e as EventlakeError).code,
      });
    }
    o.onStatement?.(i, statements.length, outcomes.at(-1)!);
  }
  return { statements, outcomes, droppedTable, clearedObjects };
}
