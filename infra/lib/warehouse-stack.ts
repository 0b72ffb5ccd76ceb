// BI warehouse on AWS (issue 11): Redshift Serverless namespace + workgroup with a small base capacity, a max
// capacity, a compute usage limit, and the IAM role Redshift uses to read gold (COPY FROM Parquet or Spectrum over
// the Glue catalog). The admin password is generated and kept by Redshift in Secrets Manager (never in the template).
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rs from 'aws-cdk-lib/aws-redshiftserverless';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { InfraSettings } from './settings.ts';

export interface WarehouseStackProps extends StackProps {
  bucket: s3.IBucket;
  key: kms.IKey;
  databaseName: string;
}

export class WarehouseStack extends Stack {
  readonly role: iam.Role;
  readonly namespace: rs.CfnNamespace;
  readonly workgroup: rs.CfnWorkgroup;

  constructor(scope: Construct, id: string, s: InfraSettings, props: WarehouseStackProps) {
    super(scope, id, props);
    const cfg = s.infra.redshift;
    const { bucket, key } = props;
    const gold = `${s.prefixes.aggregated}/`;

    this.role = new iam.Role(this, 'RedshiftRole', {
      description: 'Redshift Serverless: read gold Parquet (COPY / Spectrum) and the Glue catalog',
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('redshift.amazonaws.com'), new iam.ServicePrincipal('redshift-serverless.amazonaws.com')),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadGold', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${gold}*`)] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListGold',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${gold}*`] } },
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'BucketLocation', actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }));
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'DecryptLake', actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'GlueCatalogRead',
        actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [
          this.formatArn({ service: 'glue', resource: 'catalog' }),
          this.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
          this.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/*` }),
        ],
      }),
    );

    this.namespace = new rs.CfnNamespace(this, 'Namespace', {
      namespaceName: cfg.namespaceName,
      dbName: cfg.dbName,
      adminUsername: cfg.adminUsername,
      manageAdminPassword: true,
      kmsKeyId: key.keyArn,
      iamRoles: [this.role.roleArn],
      defaultIamRoleArn: this.role.roleArn,
      logExports: ['userlog', 'connectionlog'],
    });

    this.workgroup = new rs.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: cfg.workgroupName,
      namespaceName: cfg.namespaceName,
      baseCapacity: cfg.baseCapacityRpu,
      maxCapacity: cfg.maxCapacityRpu,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      ...(cfg.subnetIds.length ? { subnetIds: cfg.subnetIds } : {}),
      ...(cfg.securityGroupIds.length ? { securityGroupIds: cfg.securityGroupIds } : {}),
      configParameters: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
    });
    this.workgroup.addResourceDependency(this.namespace);

    // CloudFormation has no resource for Serverless usage limits: create it with an SDK call on create,
    // update it on update, delete it on delete.
    const wgArn = this.workgroup.attrWorkgroupWorkgroupArn;
    const usage = new cr.AwsCustomResource(this, 'UsageLimit', {
      onCreate: {
        service: 'redshift-serverless',
        action: 'CreateUsageLimit',
        parameters: { resourceArn: wgArn, usageType: 'serverless-compute', amount: cfg.usageLimitRpuHours, period: cfg.usageLimitPeriod, breachAction: cfg.usageLimitBreachAction },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onUpdate: {
        service: 'redshift-serverless',
        action: 'UpdateUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference(), amount: cfg.usageLimitRpuHours, breachAction: cfg.usageLimitBreachAction },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onDelete: {
        service: 'redshift-serverless',
        action: 'DeleteUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference() },
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift-serverless:CreateUsageLimit', 'redshift-serverless:UpdateUsageLimit', 'redshift-serverless:DeleteUsageLimit'],
          resources: [wgArn, this.formatArn({ service: 'redshift-serverless', resource: 'usagelimit', resourceName: '*' })],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    usage.node.addDependency(this.workgroup);
  }
}
