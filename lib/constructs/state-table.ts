/**
 * What was reported before, one item per open finding, so each email says what is new, what is
 * ongoing (since when) and what was resolved. DynamoDB rather than an object in the bucket: per
 * finding items update independently, conditional writes keep two overlapping runs (daily and
 * sweep) from clobbering each other, and TTL ages out resolved items without a clean-up job.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";

export class StateTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      // A few dozen writes a day: on-demand costs cents and needs no capacity planning.
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: "expiresAt",
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
