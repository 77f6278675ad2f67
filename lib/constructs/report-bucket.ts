/**
 * The report bucket: every run's full JSON report and the snapshot it was built from, kept as
 * evidence for the incident and for an AWS support case.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export interface ReportBucketProps {
  /** Days a report is kept before it expires. */
  retentionDays: number;
}

export class ReportBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, "Bucket", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Versioning keeps evidence intact even if a report object is overwritten by mistake.
      versioned: true,
      // Evidence outlives the stack: a `cdk destroy` must not delete an incident's reports.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: "age-out-reports",
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          expiration: Duration.days(Math.max(props.retentionDays, 31)),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
  }
}
