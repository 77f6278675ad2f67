/**
 * Builds realistic, schema-valid account snapshots for tests, so each test states only what it is
 * about ("a p3.8xlarge launched an hour ago in sa-east-1") and the rest is a plausible account.
 *
 * Time is fixed: every snapshot's window ends at WINDOW_END unless a test says otherwise, so tests
 * never depend on the wall clock. Helpers such as `hoursAgo` count back from that end.
 */

import { createHash } from "node:crypto";
import type { z } from "zod";
import { type ConfigInput, ConfigSchema } from "../../lambda/core/config.js";
import { buildProfile } from "../../lambda/core/profile.js";
import type { InstanceSchema } from "../../lambda/core/snapshot.js";
import {
  type AccountSnapshot,
  type AccountSnapshotInput,
  AccountSnapshotSchema,
  type InstanceTypeInfo,
  type Series,
  SNAPSHOT_SCHEMA_VERSION,
  type UserData,
} from "../../lambda/core/snapshot.js";
import type { RuleContext } from "../../lambda/rules/types.js";

export type InstanceInput = z.input<typeof InstanceSchema>;

/** The reference time of every default snapshot: the end of its audit window. */
export const WINDOW_END = "2026-03-10T06:00:00.000Z";
export const ACCOUNT_ID = "123456789012";
export const DEFAULT_INSTANCE_ID = "i-0a1b2c3d4e5f60718";

const HOUR_MS = 3600 * 1000;

/** ISO time `hours` before `from` (WINDOW_END by default). */
export function hoursAgo(hours: number, from: string = WINDOW_END): string {
  return new Date(Date.parse(from) - hours * HOUR_MS).toISOString();
}

/** ISO time `minutes` before `from` (WINDOW_END by default). */
export function minutesAgo(minutes: number, from: string = WINDOW_END): string {
  return new Date(Date.parse(from) - minutes * 60 * 1000).toISOString();
}

/** ISO time `days` before `from` (WINDOW_END by default). */
export function daysAgo(days: number, from: string = WINDOW_END): string {
  return hoursAgo(days * 24, from);
}

/**
 * DescribeInstanceTypes facts for the types tests use (vCPUs, memory, GPUs as AWS reports them).
 * buildSnapshot fills `instanceTypes` from this table for every type its instances use, unless the
 * test passes `instanceTypes` itself (pass `{}` to simulate DescribeInstanceTypes being unreadable).
 */
export const INSTANCE_TYPE_CATALOG: Record<string, InstanceTypeInfo> = {
  "t3.micro": { vcpus: 2, memoryMiB: 1024, gpus: 0, accelerators: 0 },
  "t3.medium": { vcpus: 2, memoryMiB: 4096, gpus: 0, accelerators: 0 },
  "t3.large": { vcpus: 2, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "m5.large": { vcpus: 2, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "m5.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 0, accelerators: 0 },
  "m5.24xlarge": { vcpus: 96, memoryMiB: 393216, gpus: 0, accelerators: 0 },
  "m6i.2xlarge": { vcpus: 8, memoryMiB: 32768, gpus: 0, accelerators: 0 },
  "m6i.4xlarge": { vcpus: 16, memoryMiB: 65536, gpus: 0, accelerators: 0 },
  "r6i.8xlarge": { vcpus: 32, memoryMiB: 262144, gpus: 0, accelerators: 0 },
  "c5.xlarge": { vcpus: 4, memoryMiB: 8192, gpus: 0, accelerators: 0 },
  "c5.4xlarge": { vcpus: 16, memoryMiB: 32768, gpus: 0, accelerators: 0 },
  "c5.9xlarge": { vcpus: 36, memoryMiB: 73728, gpus: 0, accelerators: 0 },
  "c5a.24xlarge": { vcpus: 96, memoryMiB: 196608, gpus: 0, accelerators: 0 },
  "c6i.8xlarge": { vcpus: 32, memoryMiB: 65536, gpus: 0, accelerators: 0 },
  "c7i.16xlarge": { vcpus: 64, memoryMiB: 131072, gpus: 0, accelerators: 0 },
  "hpc6a.48xlarge": { vcpus: 96, memoryMiB: 393216, gpus: 0, accelerators: 0 },
  "p3.2xlarge": { vcpus: 8, memoryMiB: 62464, gpus: 1, gpuModel: "V100", accelerators: 0 },
  "p3.16xlarge": { vcpus: 64, memoryMiB: 499712, gpus: 8, gpuModel: "V100", accelerators: 0 },
  "p4d.24xlarge": { vcpus: 96, memoryMiB: 1179648, gpus: 8, gpuModel: "A100", accelerators: 0 },
  "p5.48xlarge": { vcpus: 192, memoryMiB: 2097152, gpus: 8, gpuModel: "H100", accelerators: 0 },
  "g4dn.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1, gpuModel: "T4", accelerators: 0 },
  "g4dn.12xlarge": { vcpus: 48, memoryMiB: 196608, gpus: 4, gpuModel: "T4", accelerators: 0 },
  "g5.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1, gpuModel: "A10G", accelerators: 0 },
  "g5.48xlarge": { vcpus: 192, memoryMiB: 786432, gpus: 8, gpuModel: "A10G", accelerators: 0 },
  "g6.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1, gpuModel: "L4", accelerators: 0 },
  "inf2.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 0, accelerators: 1 },
  "trn1.32xlarge": { vcpus: 128, memoryMiB: 524288, gpus: 0, accelerators: 16 },
};

/** The regions DescribeRegions(AllRegions) returns for a typical account. */
export const DEFAULT_REGIONS: AccountSnapshot["regions"] = [
  { name: "us-east-1", optInStatus: "opt-in-not-required" },
  { name: "us-east-2", optInStatus: "opt-in-not-required" },
  { name: "us-west-1", optInStatus: "opt-in-not-required" },
  { name: "us-west-2", optInStatus: "opt-in-not-required" },
  { name: "ca-central-1", optInStatus: "opt-in-not-required" },
  { name: "eu-west-1", optInStatus: "opt-in-not-required" },
  { name: "eu-west-2", optInStatus: "opt-in-not-required" },
  { name: "eu-central-1", optInStatus: "opt-in-not-required" },
  { name: "eu-north-1", optInStatus: "opt-in-not-required" },
  { name: "ap-southeast-1", optInStatus: "opt-in-not-required" },
  { name: "ap-southeast-2", optInStatus: "opt-in-not-required" },
  { name: "ap-northeast-1", optInStatus: "opt-in-not-required" },
  { name: "ap-south-1", optInStatus: "opt-in-not-required" },
  { name: "sa-east-1", optInStatus: "opt-in-not-required" },
  { name: "af-south-1", optInStatus: "not-opted-in" },
  { name: "me-south-1", optInStatus: "not-opted-in" },
];

/** An instance id that is valid and unique per `n` (i-0a1b2c3d4e5f60718 for n = 0). */
export function instanceIdFor(n: number): string {
  if (n === 0) return DEFAULT_INSTANCE_ID;
  return `i-0a1b2c3d4e${(0x5f60718 + n).toString(16).padStart(7, "0")}`;
}

/**
 * One EC2 instance as DescribeInstances would show it for an ordinary web server: t3.medium,
 * running in eu-west-1, launched 60 days before the window end. Override what the test is about.
 */
export function instance(overrides: Partial<InstanceInput> = {}): InstanceInput {
  return {
    instanceId: DEFAULT_INSTANCE_ID,
    region: "eu-west-1",
    instanceType: "t3.medium",
    state: "running",
    launchTime: daysAgo(60),
    imageId: "ami-0c1bea58988a98915",
    keyName: "ops-2025",
    vpcId: "vpc-0f3e2d1c0b9a87654",
    subnetId: "subnet-0123456789abcdef0",
    iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/web-app`,
    tags: { Name: "web-app", Environment: "production" },
    ...overrides,
  };
}

/**
 * `count` instances sharing `overrides`, with distinct ids (from instanceIdFor(firstIndex)) and,
 * when `spacingMinutes` is given, launch times that many minutes apart starting at overrides.launchTime.
 */
export function fleet(
  count: number,
  overrides: Partial<InstanceInput> = {},
  options: { firstIndex?: number; spacingMinutes?: number } = {},
): InstanceInput[] {
  const firstIndex = options.firstIndex ?? 1;
  const base = instance(overrides);
  const baseLaunch = Date.parse(base.launchTime);
  return Array.from({ length: count }, (_, k) => ({
    ...base,
    instanceId: instanceIdFor(firstIndex + k),
    launchTime: new Date(baseLaunch + k * (options.spacingMinutes ?? 0) * 60 * 1000).toISOString(),
  }));
}

/** User data as the EC2 collector stores it: text (already redacted), its hash and size. */
export function userData(text: string, options: { truncated?: boolean } = {}): UserData {
  return {
    text,
    sha256: createHash("sha256").update(text).digest("hex"),
    sizeBytes: Buffer.byteLength(text, "utf8"),
    truncated: options.truncated ?? false,
  };
}

/**
 * A metric series ending at `end` (WINDOW_END by default): values[i] covers the period starting at
 * end - (values.length - i) * periodSeconds.
 */
export function series(
  values: (number | null)[],
  options: { periodSeconds?: number; stat?: Series["stat"]; end?: string; start?: string } = {},
): Series {
  const periodSeconds = options.periodSeconds ?? 300;
  const start =
    options.start ??
    new Date(Date.parse(options.end ?? WINDOW_END) - values.length * periodSeconds * 1000).toISOString();
  return { start, periodSeconds, stat: options.stat ?? "Average", values };
}

/**
 * A valid AccountSnapshot: a 24-hour window ending at WINDOW_END, the default regions, and the
 * catalog's instance type facts for every type its instances use. Everything else comes from
 * `partial`; the result is parsed by AccountSnapshotSchema, so an invalid fixture fails loudly.
 */
export function buildSnapshot(partial: Partial<AccountSnapshotInput> = {}): AccountSnapshot {
  const window = partial.window ?? { start: hoursAgo(24), end: WINDOW_END };
  const instances = partial.instances ?? [];
  const instanceTypes =
    partial.instanceTypes ??
    Object.fromEntries(
      instances.flatMap((i) => {
        const info = INSTANCE_TYPE_CATALOG[i.instanceType];
        return info ? [[i.instanceType, info] as const] : [];
      }),
    );
  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: window.end,
    source: { tool: "minewatch", kind: "scenario", description: "test fixture" },
    regions: DEFAULT_REGIONS,
    ...partial,
    window,
    instances,
    instanceTypes,
  });
}

/** The context a rule sees: the config (defaults plus overrides), the profile built from both, and now = window end. */
export function ruleContext(snapshot: AccountSnapshot, configOverrides: ConfigInput = {}): RuleContext {
  const config = ConfigSchema.parse(configOverrides);
  return { config, profile: buildProfile(snapshot, config), now: new Date(snapshot.window.end) };
}
