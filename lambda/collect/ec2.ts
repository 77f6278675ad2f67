/**
 * The EC2 collector: regions, instances, instance types and (for instances worth a look) user data.
 *
 * Every call failure becomes a coverage entry and the rest of the region is kept: a denied
 * DescribeInstanceTypes still leaves the instance list, a throttled page 3 still leaves pages 1-2.
 */
import { createHash } from "node:crypto";
import {
  type _InstanceType,
  DescribeInstanceAttributeCommand,
  DescribeRegionsCommand,
  type DescribeRegionsCommandOutput,
  type EC2Client,
  type Instance as Ec2Instance,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
} from "@aws-sdk/client-ec2";
import pLimit from "p-limit";
import { redactSecrets } from "../core/redact.js";
import type { Instance, InstanceTypeInfo, Region, UserData } from "../core/snapshot.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { USER_DATA_CONCURRENCY } from "./limits.js";
import { expandMimeMultipart, gunzipIfCompressed } from "./user-data-mime.js";

const SERVICE = "ec2";

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
const DAY_MS = 24 * 3600 * 1000;

/** DescribeInstances page size: paginated, filtered calls draw from EC2's larger throttle bucket. */
export const DESCRIBE_INSTANCES_PAGE_SIZE = 1000;
/** DescribeInstanceTypes accepts at most 100 names per call and 100 results per page. */
export const INSTANCE_TYPES_BATCH = 100;
/** User data calls per region; beyond this the rest is recorded as a `partial` gap. */
export const DEFAULT_USER_DATA_CAP = 100;
/** Stored user data text is capped so one huge script cannot bloat a snapshot. */
export const USER_DATA_TEXT_CAP_BYTES = 16 * 1024;
/** A gzip bomb in user data must not exhaust a Lambda's memory. */
const GUNZIP_MAX_BYTES = 1024 * 1024;
/** Instances launched this long before the window opened still get a user-data look. */
const RECENT_LAUNCH_MARGIN_MS = 7 * DAY_MS;
/** A region where nothing is older than this is new to the account: every instance there is suspect. */
const NEW_REGION_MAX_AGE_MS = 14 * DAY_MS;

const OPT_IN_STATUSES = new Set<Region["optInStatus"]>(["opt-in-not-required", "opted-in", "not-opted-in"]);
const LIFECYCLES = new Set<NonNullable<Instance["lifecycle"]>>(["spot", "scheduled", "capacity-block"]);
const STATES = new Set<Instance["state"]>(["pending", "running", "shutting-down", "terminated", "stopping", "stopped"]);
/** AWS answers userData calls for gone instances with errors; their user data is not worth a gap entry. */
const USER_DATA_SKIPPED_STATES = new Set<Instance["state"]>(["shutting-down", "terminated"]);
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * Lists every region with its opt-in status (DescribeRegions with AllRegions). Without this list
 * nothing can be audited, so a failure is recorded and thrown.
 */
export async function collectRegions(client: EC2Client, coverage: CoverageRecorder): Promise<Region[]> {
  let answer: DescribeRegionsCommandOutput;
  try {
    answer = await client.send(new DescribeRegionsCommand({ AllRegions: true }));
  } catch (error) {
    coverage.failed("global", SERVICE, "DescribeRegions", error);
    const { message } = classifyAwsError(error);
    throw new Error(
      `Cannot list the account's regions (EC2 DescribeRegions failed: ${message}). Without the region list nothing can be audited: check the credentials and the ec2:DescribeRegions permission.`,
      { cause: error },
    );
  }
  const regions: Region[] = [];
  for (const region of answer.Regions ?? []) {
    if (!region.RegionName) continue;
    const status = region.OptInStatus as Region["optInStatus"] | undefined;
    // An unknown status is treated as enabled: the calls are tried and any failure shows in coverage.
    regions.push({ name: region.RegionName, optInStatus: status && OPT_IN_STATUSES.has(status) ? status : "opted-in" });
  }
  regions.sort((a, b) => compareText(a.name, b.name));
  coverage.ok("global", SERVICE, "DescribeRegions", `${regions.length} regions`);
  return regions;
}

export interface Ec2RegionInput {
  client: EC2Client;
  region: string;
  window: { start: Date; end: Date };
  coverage: CoverageRecorder;
  /** vCPU count from which an instance is worth a user-data look (config.thresholds.largeComputeVcpus). */
  largeComputeVcpus?: number;
  /** At most this many user data reads in the region. */
  userDataCap?: number;
  /** Reference time for "older than 14 days"; the window end when absent. */
  now?: Date;
  /**
   * Called once the inventory and the instances worth a look are known, before the per-instance
   * reads: the caller starts the region's metrics then, so they overlap those reads.
   */
  onInventory?: (inventory: { instances: Instance[]; candidates: Instance[] }) => void;
}

export interface Ec2RegionResult {
  instances: Instance[];
  instanceTypes: Record<string, InstanceTypeInfo>;
}

/** Reads one region's instances, their types and the user data of instances worth a look. */
export async function collectEc2Region(input: Ec2RegionInput): Promise<Ec2RegionResult> {
  const { client, region, coverage } = input;
  const instances = await describeInstances(client, region, coverage);
  const typeNames = [...new Set(instances.map((i) => i.instanceType))].sort();
  const instanceTypes = await describeInstanceTypes(client, region, typeNames, coverage);
  const candidates = selectUserDataCandidates(instances, instanceTypes, {
    window: input.window,
    now: input.now ?? input.window.end,
    largeComputeVcpus: input.largeComputeVcpus ?? 16,
  });
  input.onInventory?.({ instances, candidates });
  const userDataCap = input.userDataCap ?? DEFAULT_USER_DATA_CAP;
  await readUserData(client, region, candidates, userDataCap, coverage);
  // The same instances, same cap: anti-remediation is only worth a call where user data was too.
  await readTerminationProtection(client, region, candidates.slice(0, userDataCap), coverage);
  return { instances, instanceTypes };
}

async function describeInstances(client: EC2Client, region: string, coverage: CoverageRecorder): Promise<Instance[]> {
  const instances: Instance[] = [];
  let pages = 0;
  let unusable = 0;
  try {
    const pager = paginateDescribeInstances({ client }, { MaxResults: DESCRIBE_INSTANCES_PAGE_SIZE });
    for await (const page of pager) {
      pages += 1;
      for (const reservation of page.Reservations ?? []) {
        for (const raw of reservation.Instances ?? []) {
          const instance = toInstance(raw, region);
          if (instance) instances.push(instance);
          else unusable += 1;
        }
      }
    }
  } catch (error) {
    if (pages === 0) {
      coverage.failed(region, SERVICE, "DescribeInstances", error);
    } else {
      const { reason, message } = classifyAwsError(error);
      coverage.partial(
        region,
        SERVICE,
        "DescribeInstances",
        reason,
        `stopped after ${pages} page(s) and ${instances.length} instances: ${message}`,
      );
    }
    return instances;
  }
  if (unusable > 0) {
    coverage.partial(
      region,
      SERVICE,
      "DescribeInstances",
      "error",
      `${unusable} instance(s) without an id, type, state or launch time were left out`,
    );
  } else {
    coverage.ok(region, SERVICE, "DescribeInstances", `${instances.length} instances`);
  }
  return instances;
}

/** Maps an EC2 API instance to the snapshot shape; undefined when a required field is missing. */
export function toInstance(raw: Ec2Instance, region: string): Instance | undefined {
  const state = raw.State?.Name as Instance["state"] | undefined;
  if (!raw.InstanceId || !INSTANCE_ID.test(raw.InstanceId) || !raw.InstanceType || !raw.LaunchTime) return undefined;
  if (!state || !STATES.has(state)) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of raw.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  }
  const lifecycle = raw.InstanceLifecycle as Instance["lifecycle"];
  const launchTemplateId = tags["aws:ec2launchtemplate:id"];
  const autoScalingGroup = tags["aws:autoscaling:groupName"];
  const platform = raw.Platform ?? raw.PlatformDetails;
  const optional: Partial<Instance> = {
    imageId: raw.ImageId,
    keyName: raw.KeyName,
    vpcId: raw.VpcId,
    subnetId: raw.SubnetId,
    lifecycle: lifecycle && LIFECYCLES.has(lifecycle) ? lifecycle : undefined,
    spotInstanceRequestId: raw.SpotInstanceRequestId,
    iamInstanceProfileArn: raw.IamInstanceProfile?.Arn,
    launchTemplateId,
    autoScalingGroup,
    publicIpAddress: raw.PublicIpAddress,
    platform,
  };
  const instance: Instance = {
    instanceId: raw.InstanceId,
    region,
    instanceType: raw.InstanceType,
    state,
    launchTime: raw.LaunchTime.toISOString(),
    tags,
  };
  // Absent stays absent (not `undefined`) so snapshots stay small and round-trip through JSON.
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined && value !== "") (instance as Record<string, unknown>)[key] = value;
  }
  return instance;
}

async function describeInstanceTypes(
  client: EC2Client,
  region: string,
  typeNames: string[],
  coverage: CoverageRecorder,
): Promise<Record<string, InstanceTypeInfo>> {
  const result: Record<string, InstanceTypeInfo> = {};
  if (typeNames.length === 0) return result;
  let failure: unknown;
  for (let i = 0; i < typeNames.length; i += INSTANCE_TYPES_BATCH) {
    const batch = typeNames.slice(i, i + INSTANCE_TYPES_BATCH);
    try {
      const pager = paginateDescribeInstanceTypes(
        { client },
        { InstanceTypes: batch as _InstanceType[], MaxResults: INSTANCE_TYPES_BATCH },
      );
      for await (const page of pager) {
        for (const info of page.InstanceTypes ?? []) {
          if (info.InstanceType) result[info.InstanceType] = toInstanceTypeInfo(info);
        }
      }
    } catch (error) {
      // Other batches may still succeed; one entry for the region says what is missing.
      failure ??= error;
    }
  }
  const missing = typeNames.filter((name) => !(name in result));
  if (failure !== undefined && Object.keys(result).length === 0) {
    coverage.failed(region, SERVICE, "DescribeInstanceTypes", failure);
  } else if (failure !== undefined) {
    const { reason, message } = classifyAwsError(failure);
    coverage.partial(
      region,
      SERVICE,
      "DescribeInstanceTypes",
      reason,
      `no details for ${missing.length} of ${typeNames.length} instance types (${missing.slice(0, 5).join(", ")}): ${message}`,
    );
  } else {
    coverage.ok(region, SERVICE, "DescribeInstanceTypes", `${typeNames.length} instance types`);
  }
  return result;
}

function sumCounts(devices: { Count?: number | undefined }[] | undefined): number {
  return (devices ?? []).reduce((total, device) => total + (device.Count ?? 0), 0);
}

export function toInstanceTypeInfo(info: Ec2InstanceTypeInfo): InstanceTypeInfo {
  const gpuDevices = info.GpuInfo?.Gpus ?? [];
  const firstGpu = gpuDevices[0];
  const gpuModel = firstGpu
    ? [firstGpu.Manufacturer, firstGpu.Name].filter((part): part is string => Boolean(part)).join(" ")
    : "";
  return {
    vcpus: info.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMiB: info.MemoryInfo?.SizeInMiB ?? 0,
    gpus: sumCounts(gpuDevices),
    ...(gpuModel ? { gpuModel } : {}),
    accelerators:
      sumCounts(info.InferenceAcceleratorInfo?.Accelerators) +
      sumCounts(info.FpgaInfo?.Fpgas) +
      sumCounts(info.NeuronInfo?.NeuronDevices),
  };
}

interface CandidateOptions {
  window: { start: Date; end: Date };
  now: Date;
  largeComputeVcpus: number;
}

/**
 * Instances whose user data is worth reading, most suspicious first: user data calls are
 * unpaginated (EC2's small throttle bucket), so a region with thousands of instances is not read whole.
 */
export function selectUserDataCandidates(
  instances: Instance[],
  instanceTypes: Record<string, InstanceTypeInfo>,
  options: CandidateOptions,
): Instance[] {
  const recentFrom = options.window.start.getTime() - RECENT_LAUNCH_MARGIN_MS;
  const launched = (i: Instance) => Date.parse(i.launchTime);
  const newRegion = instances.every((i) => options.now.getTime() - launched(i) <= NEW_REGION_MAX_AGE_MS);
  const scored: { instance: Instance; score: number }[] = [];
  for (const instance of instances) {
    if (USER_DATA_SKIPPED_STATES.has(instance.state)) continue;
    const info = instanceTypes[instance.instanceType];
    // Without type details the instance could be a GPU box: look rather than guess.
    const accelerated = info === undefined || info.gpus > 0 || info.accelerators > 0;
    const large = info !== undefined && info.vcpus >= options.largeComputeVcpus;
    const recent = launched(instance) >= recentFrom;
    if (!(accelerated || large || recent || newRegion)) continue;
    const score = (accelerated ? 4 : 0) + (large ? 2 : 0) + (recent ? 1 : 0);
    scored.push({ instance, score });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      launched(b.instance) - launched(a.instance) ||
      compareText(a.instance.instanceId, b.instance.instanceId),
  );
  return scored.map((s) => s.instance);
}

async function readUserData(
  client: EC2Client,
  region: string,
  candidates: Instance[],
  cap: number,
  coverage: CoverageRecorder,
): Promise<void> {
  const api = "DescribeInstanceAttribute";
  if (candidates.length === 0) return;
  const chosen = candidates.slice(0, cap);
  const failures: unknown[] = [];
  const limit = pLimit(USER_DATA_CONCURRENCY);
  await limit.map(chosen, async (instance) => {
    try {
      const answer = await client.send(
        new DescribeInstanceAttributeCommand({ InstanceId: instance.instanceId, Attribute: "userData" }),
      );
      const encoded = answer.UserData?.Value;
      if (encoded) instance.userData = decodeUserData(encoded);
    } catch (error) {
      failures.push(error);
    }
  });
  const read = chosen.length - failures.length;
  if (failures.length > 0) {
    const { reason, message } = classifyAwsError(failures[0]);
    const summary = `user data not read for ${failures.length} of ${chosen.length} instances (first error: ${message})`;
    if (read === 0) {
      coverage.entries.push({ region, service: SERVICE, api, status: "failed", reason, message: summary });
    } else {
      coverage.partial(region, SERVICE, api, reason, summary);
    }
  } else {
    coverage.ok(region, SERVICE, api, `user data read for ${read} instances`);
  }
  if (candidates.length > cap) {
    coverage.partial(
      region,
      SERVICE,
      `${api}:cap`,
      "not-requested",
      `user data read for the ${cap} most suspicious of ${candidates.length} instances worth a look; the other ${candidates.length - cap} were not read`,
    );
  }
}

/**
 * DisableApiTermination of the instances chosen for user data: termination protection on a fresh,
 * untagged instance is anti-remediation (MW-EC2-TERMINATION-PROTECTION). Failures are summarized
 * in one coverage entry, like user data.
 */
async function readTerminationProtection(
  client: EC2Client,
  region: string,
  chosen: Instance[],
  coverage: CoverageRecorder,
): Promise<void> {
  const api = "DescribeInstanceAttribute:disableApiTermination";
  if (chosen.length === 0) return;
  const failures: unknown[] = [];
  const limit = pLimit(USER_DATA_CONCURRENCY);
  await limit.map(chosen, async (instance) => {
    try {
      const answer = await client.send(
        new DescribeInstanceAttributeCommand({ InstanceId: instance.instanceId, Attribute: "disableApiTermination" }),
      );
      const value = answer.DisableApiTermination?.Value;
      if (value !== undefined) instance.terminationProtection = value;
    } catch (error) {
      failures.push(error);
    }
  });
  if (failures.length === 0) {
    coverage.ok(region, SERVICE, api, `termination protection read for ${chosen.length} instances`);
    return;
  }
  const { reason, message } = classifyAwsError(failures[0]);
  const summary = `termination protection not read for ${failures.length} of ${chosen.length} instances (first error: ${message})`;
  if (failures.length === chosen.length) {
    coverage.entries.push({ region, service: SERVICE, api, status: "failed", reason, message: summary });
  } else {
    coverage.partial(region, SERVICE, api, reason, summary);
  }
}

/**
 * Decodes user data as EC2 returns it (base64, possibly gzip as cloud-init allows, possibly a MIME
 * multipart message whose parts are encoded again: see user-data-mime.ts), redacts
 * secret-looking values and caps the text. The hash and size are of the decoded bytes, so the same
 * script matches across instances whether or not it was compressed.
 */
export function decodeUserData(base64: string): UserData {
  const unzipped = gunzipIfCompressed(Buffer.from(base64, "base64"), GUNZIP_MAX_BYTES);
  const bytes = unzipped.bytes;
  const note = unzipped.error ? `[gzip user data not decoded: ${unzipped.error}]` : "";
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (note) return { text: note, sha256, sizeBytes: bytes.length, truncated: true };
  const decoded = bytes.toString("utf8");
  // Encoded MIME parts decoded in place: an encoded part must not hide a miner from the rules.
  const readable = expandMimeMultipart(decoded) ?? decoded;
  // Redact the whole text before capping, so a secret cut at the cap cannot escape redaction.
  const redacted = Buffer.from(redactSecrets(readable), "utf8");
  const truncated = redacted.length > USER_DATA_TEXT_CAP_BYTES;
  const text = truncated ? redacted.subarray(0, USER_DATA_TEXT_CAP_BYTES).toString("utf8") : redacted.toString("utf8");
  return { text, sha256, sizeBytes: bytes.length, truncated };
}
