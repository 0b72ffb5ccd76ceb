// Query side of the lake: the Glue database and tables (partition projection, so no crawler and no
// MSCK REPAIR), the Athena workgroup (settings enforced, results encrypted with the lake key, a bytes-scanned
// cutoff per query) and, when enabled, Lake Formation data cells filters per repo owner.
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { CATALOG_TABLES, type TableDef } from './catalog-tables.ts';
import { buildDataCellsFilters, type DataCellsFilterSpec } from './lake-formation-filters.ts';
import { removalPolicy, type InfraSettings } from './settings.ts';

export interface CatalogStackProps extends StackProps {
  bucket: s3.IBucket;
  key: kms.IKey;
}

const SERDE = {
  parquet: {
    input: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  },
  json: {
    // Text input reads .json.gz transparently; OpenX maps nested objects into string columns as JSON text.
    input: 'org.apache.hadoop.mapred.TextInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serde: 'org.openx.data.jsonserde.JsonSerDe',
  },
} as const;

/** Table parameters for Athena partition projection (dt as a date, hour as a 2-digit integer). */
export function projectionParameters(t: TableDef, location: string, range: string): Record<string, string> {
  if (t.partitions.length === 0) return {};
  const params: Record<string, string> = { 'projection.enabled': 'true' };
  let template = location;
  for (const part of t.partitions) {
    if (part === 'dt') {
      Object.assign(params, {
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': range,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
      });
    } else {
      Object.assign(params, { 'projection.hour.type': 'integer', 'projection.hour.range': '0,23', 'projection.hour.digits': '2' });
    }
    template += `${part}=\${${part}}/`;
  }
  params['storage.location.template'] = template;
  return params;
}

export class CatalogStack extends Stack {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly workgroup: athena.CfnWorkGroup;
  readonly workgroupName: string;
  readonly resultsBucket: s3.Bucket;
  readonly filters: DataCellsFilterSpec[];

  constructor(scope: Construct, id: string, s: InfraSettings, props: CatalogStackProps) {
    super(scope, id, props);
    const cfg = s.infra;
    this.databaseName = cfg.glue.database;
    this.workgroupName = cfg.athena.workgroup;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: { name: this.databaseName, description: 'eventlake: bronze/silver/gold tables over the lake bucket' },
    });

    for (const t of CATALOG_TABLES) {
      const location = `s3://${props.bucket.bucketName}/${t.location(s.prefixes)}/`;
      const f = SERDE[t.format];
      const table = new glue.CfnTable(this, `Table_${t.name}`, {
        catalogId: this.account,
        databaseName: this.databaseName,
        tableInput: {
          name: t.name,
          description: t.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: t.format,
            EXTERNAL: 'TRUE',
            ...(t.format === 'parquet' ? { 'parquet.compression': 'SNAPPY' } : { 'ignore.malformed.json': 'true' }),
            ...projectionParameters(t, location, cfg.glue.projectionRange),
          },
          partitionKeys: t.partitions.map((name) => ({ name, type: name === 'dt' ? 'string' : 'int' })),
          storageDescriptor: {
            location,
            columns: t.columns.map(([name, type]) => ({ name, type })),
            inputFormat: f.input,
            outputFormat: f.output,
            serdeInfo: { serializationLibrary: f.serde, parameters: t.format === 'json' ? { 'ignore.malformed.json': 'true' } : {} },
          },
        },
      });
      table.addResourceDependency(this.database);
    }

    // Athena results: private, SSE-KMS with the lake key, short-lived.
    this.resultsBucket = new s3.Bucket(this, 'AthenaResults', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: removalPolicy(s),
      lifecycleRules: [
        { id: 'expire-results', expiration: Duration.days(cfg.athena.resultsExpireDays) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workgroupName,
      description: 'eventlake queries: enforced settings, KMS-encrypted results, bytes-scanned cutoff',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cfg.athena.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
          expectedBucketOwner: this.account,
        },
      },
    });

    this.filters = cfg.lakeFormation.enabled
      ? buildDataCellsFilters(cfg.lakeFormation.owners, {
          tables: cfg.lakeFormation.tables,
          excludedColumns: cfg.lakeFormation.excludedColumns,
          maxRepoIdsPerFilter: cfg.lakeFormation.maxRepoIdsPerFilter,
        })
      : [];
    if (cfg.lakeFormation.enabled) {
      // Lake Formation must govern the bucket location for its filters to apply to Athena/Redshift Spectrum reads.
      new lakeformation.CfnResource(this, 'LakeLocation', {
        resourceArn: props.bucket.bucketArn,
        useServiceLinkedRole: true,
      });
    }
    for (const f of this.filters) {
      const filter = new lakeformation.CfnDataCellsFilter(this, `Filter_${f.name}`, {
        tableCatalogId: this.account,
        databaseName: this.databaseName,
        tableName: f.table,
        name: f.name,
        rowFilter: { filterExpression: f.rowFilterExpression },
        columnWildcard: { excludedColumnNames: f.excludedColumns },
      });
      filter.addResourceDependency(this.database);
      const grant = new lakeformation.CfnPrincipalPermissions(this, `Grant_${f.name}`, {
        principal: { dataLakePrincipalIdentifier: f.principalArn },
        resource: { dataCellsFilter: { tableCatalogId: this.account, databaseName: this.databaseName, tableName: f.table, name: f.name } },
        permissions: ['SELECT'],
        permissionsWithGrantOption: [],
      });
      grant.addResourceDependency(filter);
    }
  }
}
