/**
 * Small shared facts about instances for the inventory rules: what an instance type offers (from
 * DescribeInstanceTypes, or from its name when that was not read), and whether an instance was
 * active during the audit window.
 */
import { instanceFamily, instanceSize } from "../../core/profile.js";
import type { AccountSnapshot, Instance, InstanceTypeInfo } from "../../core/snapshot.js";
import type { ResourceRef } from "../types.js";

/** What a signal or near-miss about an instance is about. */
export function instanceRef(instance: Instance): ResourceRef {
  return { type: "ec2-instance", id: instance.instanceId, region: instance.region };
}

/**
 * Families with GPUs or other accelerators, used only when DescribeInstanceTypes did not describe
 * the type (the snapshot's instanceTypes has no entry): then the name is all there is to go on.
 */
export const ACCELERATED_FAMILIES: readonly string[] = [
  "p2",
  "p3",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6",
  "g3",
  "g3s",
  "g4dn",
  "g4ad",
  "g5",
  "g5g",
  "g6",
  "g6e",
  "gr6",
  "dl1",
  "dl2q",
  "trn1",
  "trn1n",
  "trn2",
  "inf1",
  "inf2",
  "vt1",
  "f1",
  "f2",
];

/**
 * The naming scheme behind that list, so that families launched after it was written (p6-b200,
 * g7, trn3) are still recognised: p and g are GPU, gr graphics, dl Gaudi, trn Trainium,
 * inf Inferentia, vt video transcoding, f FPGA. No CPU-only family starts this way.
 */
const ACCELERATED_FAMILY_PATTERN = /^(?:p|g|gr|dl|trn|inf|vt|f)\d/;

/** Compute-heavy family classes (c5a -> c, hpc6a -> hpc, x2idn -> x): the ones miners rent. */
const LARGE_COMPUTE_CLASSES = new Set(["c", "m", "r", "x", "hpc"]);

/** The DescribeInstanceTypes facts for `instanceType`, or undefined when they were not collected. */
export function typeInfo(snapshot: AccountSnapshot, instanceType: string): InstanceTypeInfo | undefined {
  return snapshot.instanceTypes[instanceType];
}

/** "c5a" -> "c", "hpc6a" -> "hpc", "x2idn" -> "x", "m7i-flex" -> "m". */
export function familyClass(instanceType: string): string {
  return /^[a-z]+/.exec(instanceFamily(instanceType))?.[0] ?? "";
}

/**
 * vCPUs guessed from the size name when DescribeInstanceTypes was not read: AWS sizes give
 * 2 vCPUs for large and 4 per xlarge step (c5.4xlarge = 16) on the x86 and Graviton families.
 * Undefined for sizes that say nothing (metal, nano).
 */
export function estimatedVcpus(instanceType: string): number | undefined {
  const size = instanceSize(instanceType);
  if (size === "large") return 2;
  if (size === "xlarge") return 4;
  const multiple = /^(\d+)xlarge$/.exec(size)?.[1];
  return multiple ? Number(multiple) * 4 : undefined;
}

/** Whether the type has GPUs or accelerators: from its info when known, else from its family name. */
export function isAccelerated(info: InstanceTypeInfo | undefined, instanceType: string): boolean {
  if (info) return info.gpus > 0 || info.accelerators > 0;
  const family = instanceFamily(instanceType);
  return ACCELERATED_FAMILIES.includes(family) || ACCELERATED_FAMILY_PATTERN.test(family);
}

/**
 * Whether the type is "large compute": a c/m/r/x/hpc family with at least `minVcpus` vCPUs (from
 * its info when known, else estimated from the size name).
 */
export function isLargeCompute(info: InstanceTypeInfo | undefined, instanceType: string, minVcpus: number): boolean {
  if (!LARGE_COMPUTE_CLASSES.has(familyClass(instanceType))) return false;
  const vcpus = info?.vcpus ?? estimatedVcpus(instanceType);
  return vcpus !== undefined && vcpus >= minVcpus;
}

/** True when the instance was launched within the snapshot's audit window. */
export function launchedInWindow(instance: Instance, snapshot: AccountSnapshot): boolean {
  const launched = Date.parse(instance.launchTime);
  return launched >= Date.parse(snapshot.window.start) && launched <= Date.parse(snapshot.window.end);
}

/**
 * True when the instance could have been mining during the window: running or pending at
 * collection, or launched within the window (a miner may already have been terminated).
 */
export function activeInWindow(instance: Instance, snapshot: AccountSnapshot): boolean {
  return instance.state === "running" || instance.state === "pending" || launchedInWindow(instance, snapshot);
}

/** "2026-03-10 02:14 UTC": launch times as a responder reads them. */
export function formatTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "3.8 h" / "12 days": how long before `now` something happened. */
export function ageText(iso: string, now: Date): string {
  const hours = (now.getTime() - Date.parse(iso)) / 3_600_000;
  if (hours < 48) return `${Math.max(0, Math.round(hours * 10) / 10)} h`;
  return `${Math.round(hours / 24)} days`;
}
