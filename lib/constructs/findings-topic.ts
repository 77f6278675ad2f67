/**
 * The findings topic: where every Minewatch email, alarm and machine-readable summary goes.
 * Encrypted with a customer-managed key (rotated yearly); publishing over plain HTTP is refused.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface FindingsTopicProps {
  /** Addresses subscribed at deploy time; each must confirm the subscription email once. */
  emails: string[];
}

export class FindingsTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: FindingsTopicProps) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "Minewatch findings topic encryption",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish to the encrypted topic: the service needs to use the key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        // In a key policy, "*" means this key.
        resources: ["*"],
      }),
    );
    this.topic = new Topic(this, "Topic", {
      displayName: "Minewatch findings",
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
  }
}
