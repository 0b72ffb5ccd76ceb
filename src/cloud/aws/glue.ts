// The only module that talks to the AWS Glue Data Catalog (AWS SDK v3): the few catalog calls Athena work needs
// outside SQL (database existence, dropping a CTAS target before a rebuild, reading a table's location).
import {
  CreateDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  GlueClient,
  type GlueClientConfig,
} from '@aws-sdk/client-glue';
import { EventlakeError } from '../../core/errors.ts';

export interface GlueApiOptions {
  region: string;
  endpoint?: string;
  catalogId?: string;
  maxAttempts?: number;
  clientConfig?: Partial<GlueClientConfig>;
}

export interface GlueTableInfo {
  name: string;
  location?: string;
  tableType?: string;
  partitionKeys: string[];
  parameters: Record<string, string>;
}

const STEP = 'catalog.glue';

function mapGlueError(e: unknown, what: string): EventlakeError {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return new EventlakeError(`${what}: ${err.name ?? 'Error'}: ${err.message ?? ''}`.trim(), {
    step: STEP,
    code: err.name === 'EntityNotFoundException' ? 'NOT_FOUND' : status ? `HTTP_${status}` : 'GLUE',
    retryable: err.name === 'ThrottlingException' || status === undefined || status === 429 || status >= 500,
    cause: e,
  });
}

const notFound = (e: unknown) => (e as { name?: string }).name === 'EntityNotFoundException';

export class GlueApi {
  readonly client: GlueClient;
  private readonly catalogId?: string;

  constructor(opts: GlueApiOptions) {
    this.catalogId = opts.catalogId;
    this.client = new GlueClient({ region: opts.region, endpoint: opts.endpoint, maxAttempts: opts.maxAttempts ?? 5, retryMode: 'standard', ...opts.clientConfig });
  }

  /** Creates the database when missing; returns true when it was created. */
  async ensureDatabase(name: string, description = 'eventlake lake tables'): Promise<boolean> {
    try {
      await this.client.send(new GetDatabaseCommand({ CatalogId: this.catalogId, Name: name }));
      return false;
    } catch (e) {
      if (!notFound(e)) throw mapGlueError(e, `GetDatabase ${name}`);
    }
    try {
      await this.client.send(new CreateDatabaseCommand({ CatalogId: this.catalogId, DatabaseInput: { Name: name, Description: description } }));
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'AlreadyExistsException') return false;
      throw mapGlueError(e, `CreateDatabase ${name}`);
    }
  }

  async getTable(database: string, name: string): Promise<GlueTableInfo | undefined> {
    try {
      const t = (await this.client.send(new GetTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }))).Table;
      if (!t) return undefined;
      return {
        name: t.Name ?? name,
        location: t.StorageDescriptor?.Location,
        tableType: t.TableType,
        partitionKeys: (t.PartitionKeys ?? []).map((k) => k.Name ?? ''),
        parameters: t.Parameters ?? {},
      };
    } catch (e) {
      if (notFound(e)) return undefined;
      throw mapGlueError(e, `GetTable ${database}.${name}`);
    }
  }

  /** Drops a table's catalog entry (not its data); missing tables are fine. */
  async deleteTable(database: string, name: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw mapGlueError(e, `DeleteTable ${database}.${name}`);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
