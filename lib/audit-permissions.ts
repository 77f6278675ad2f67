/**
 * The read-only AWS permissions the audit function needs: exactly the calls the collectors make.
 *
 * Kept as data so that a test can cross-check it against the commands the collectors send in the
 * test suite (tests/infra/permissions.test.ts): a collector that starts calling a new API fails that
 * test until its permission is added here, and nothing here goes unused.
 */
export interface ReadPermission {
  actions: string[];
  /** `*` only where the action supports no resource-level permission; the reason says so. */
  resources: (scope: { partition: string; account: string }) => string[];
  reason: string;
}

export const AUDIT_READ_PERMISSIONS: readonly ReadPermission[] = [
  {
    actions: ["ec2:DescribeRegions", "ec2:DescribeInstances", "ec2:DescribeInstanceTypes"],
    resources: () => ["*"],
    reason: "EC2 Describe* actions support no resource-level permissions: they list the whole region.",
  },
  {
    actions: ["ec2:DescribeInstanceAttribute"],
    resources: ({ partition, account }) => [`arn:${partition}:ec2:*:${account}:instance/*`],
    reason: "User data of this account's instances in any region, read only for instances worth a look.",
  },
  {
    actions: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
    resources: () => ["*"],
    reason: "CloudWatch metric reads support no resource-level permissions.",
  },
  {
    actions: ["ce:GetCostAndUsage", "ce:GetAnomalies"],
    resources: () => ["*"],
    reason: "Cost Explorer reads are account-wide and support no resource-level permissions.",
  },
];
