/**
 * scenarios/ml-training-p4d: the ML platform team trains its ranking model twice a week on four
 * p4d.24xlarge in the home region, launched by the training pipeline's role, with the CloudWatch
 * agent reporting GPU near 100 %. Expensive, GPU-bound and legitimate: the allowlist entry for the
 * pipeline's instance profile says so.
 * Run: npx tsx scripts/scenarios/ml-training-p4d.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  type Rng,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const LAUNCH = Date.parse("2026-11-24T22:00:40Z");

export const spec: AccountSpec = {
  scenario: "ml-training-p4d",
  description: "Twice-weekly model training on four p4d.24xlarge by the ML pipeline role, allowlisted",
  accountId: "631740258396",
  windowEnd: "2026-11-25T08:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "rank", utcOffsetHours: -5, since: "2026-01-05T14:00:00Z" }),
    ...[1, 2, 3, 4].map((n) => ({
      name: `train-p4d-${n}`,
      image: "dlami-pytorch-2.5",
      region: HOME,
      instanceType: "p4d.24xlarge",
      launchTime: iso(LAUNCH + n * 3_000),
      instanceProfile: "ml-pipeline-training",
      launchTemplate: "ml-train-p4d",
      tags: { Name: "ml-train", team: "ml-platform", pipeline: "ranker-weekly", "sagemaker:managed": "false" },
      userData: [
        "#!/bin/bash",
        "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:/ml/cw-agent-gpu",
        "aws s3 cp s3://rank-ml-artifacts/bootstrap/train.sh /opt/train.sh && bash /opt/train.sh --config ranker-v12.yaml",
        "",
      ].join("\n"),
      cpu: (_ms: number, rng: Rng) => rng.uniform(28, 41),
      gpu: (_ms: number, rng: Rng) => Math.min(100, 96 + rng.normal(0, 1.5)),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(5e9, 9e9),
      packetBytes: 8500,
    })),
  ],
  pastCompute: [
    {
      region: HOME,
      instanceType: "p4d.24xlarge",
      // Tuesday and Thursday nights, 9 to 11 hours on four instances.
      hoursPerDay: (day, _index, rng) =>
        [2, 4].includes(new Date(`${day}T00:00:00Z`).getUTCDay()) ? 4 * rng.uniform(9, 11) : 0,
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
