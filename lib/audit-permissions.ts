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
  {
    actions: ["cloudtrail:LookupEvents"],
    resources: () => ["*"],
    reason: "CloudTrail LookupEvents reads the event history and supports no resource-level permissions.",
  },
  {
    actions: ["guardduty:ListDetectors"],
    resources: () => ["*"],
    reason: "GuardDuty ListDetectors lists the region's detectors and supports no resource-level permissions.",
  },
  {
    actions: ["guardduty:GetDetector", "guardduty:ListFindings", "guardduty:GetFindings"],
    resources: ({ partition, account }) => [`arn:${partition}:guardduty:*:${account}:detector/*`],
    reason: "Detector status and mining findings of this account's GuardDuty detectors in any region.",
  },
  {
    actions: ["ecs:ListClusters", "ecs:ListTasks", "ecs:DescribeTaskDefinition"],
    resources: () => ["*"],
    reason:
      "ECS ListClusters and DescribeTaskDefinition support no resource-level permissions; ListTasks is scoped by container instance, which Fargate tasks do not have.",
  },
  {
    actions: ["ecs:DescribeClusters"],
    resources: ({ partition, account }) => [`arn:${partition}:ecs:*:${account}:cluster/*`],
    reason: "Details and tags of this account's ECS clusters in any region.",
  },
  {
    actions: ["ecs:DescribeTasks"],
    resources: ({ partition, account }) => [`arn:${partition}:ecs:*:${account}:task/*`],
    reason: "Running tasks of this account's ECS clusters in any region (launch type, size, overrides).",
  },
  {
    actions: ["lambda:ListFunctions"],
    resources: () => ["*"],
    reason:
      "Lambda ListFunctions supports no resource-level permissions (environment variables it returns are never stored).",
  },
  {
    actions: [
      "sagemaker:ListNotebookInstances",
      "codebuild:ListProjects",
      "codebuild:ListBuilds",
      "amplify:ListApps",
      "autoscaling:DescribeAutoScalingGroups",
      "ec2:DescribeLaunchTemplates",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:DescribeSpotInstanceRequests",
      "ec2:DescribeFleets",
      "ec2:DescribeSpotFleetRequests",
    ],
    resources: () => ["*"],
    reason:
      "List and Describe calls over a whole region (notebooks, CodeBuild projects and builds, Amplify apps, Auto Scaling groups, launch templates, spot requests, fleets) support no resource-level permissions.",
  },
  {
    actions: ["sagemaker:DescribeNotebookInstance", "sagemaker:DescribeNotebookInstanceLifecycleConfig"],
    resources: ({ partition, account }) => [
      `arn:${partition}:sagemaker:*:${account}:notebook-instance/*`,
      `arn:${partition}:sagemaker:*:${account}:notebook-instance-lifecycle-config/*`,
    ],
    reason: "Instance type, role and lifecycle scripts of this account's SageMaker notebook instances in any region.",
  },
  {
    actions: ["codebuild:BatchGetProjects", "codebuild:BatchGetBuilds"],
    resources: ({ partition, account }) => [`arn:${partition}:codebuild:*:${account}:project/*`],
    reason: "Compute type, image and buildspec of this account's CodeBuild projects, and their builds, in any region.",
  },
  {
    actions: ["s3:ListAllMyBuckets", "cloudfront:ListDistributions"],
    resources: () => ["*"],
    reason:
      "Discovery of the web content the account serves: ListBuckets and ListDistributions list the whole account and support no resource-level permissions.",
  },
  {
    actions: ["s3:GetBucketWebsite", "s3:GetBucketLocation"],
    resources: ({ partition }) => [`arn:${partition}:s3:::*`],
    reason:
      "Which buckets host a website, and where: bucket configuration only, never object contents (s3:GetObject is granted per bucket, see WEB_SCAN_OBJECT_READS).",
  },
];

/**
 * Reading the objects of hosted sites (the in-browser miner scan): granted only on the buckets named
 * at deploy time (webScanBuckets), or on every bucket when the operator opts in with
 * webScanAllWebsiteBuckets; never by default. The collector calls ListObjectsV2 (IAM action
 * s3:ListBucket, on the bucket) and GetObject (on its objects).
 */
export const WEB_SCAN_OBJECT_READS = {
  listActions: ["s3:ListBucket"],
  objectActions: ["s3:GetObject"],
} as const;
