/**
 * The relaunch collector: Auto Scaling groups, launch templates (with the latest version's user
 * data for the templates worth a look), spot instance requests, EC2 fleets and spot fleets, in every
 * audited region. This is the machinery that brings miners back after a responder terminates them.
 *
 * Every list call is paginated with its maximum page size and capped per region; every failure and
 * every cap becomes a coverage entry, and what was read before a failure is kept.
 */
import {
  type AutoScalingGroup as AsgApi,
  type AutoScalingClient,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type FleetData,
  type LaunchTemplate as LaunchTemplateApi,
  paginateDescribeFleets,
  paginateDescribeLaunchTemplates,
  paginateDescribeSpotFleetRequests,
  paginateDescribeSpotInstanceRequests,
  type SpotFleetRequestConfig,
  type SpotInstanceRequest,
} from "@aws-sdk/client-ec2";
import pLimit from "p-limit";
import type { AutoScalingGroup, Fleet, LaunchTemplate, Relaunch, SpotRequest } from "../core/sections/relaunch.js";
import type { Instance } from "../core/snapshot.js";
import type { CoverageRecorder } from "./coverage.js";
import { decodeUserData } from "./ec2.js";
import { REGION_CONCURRENCY, USER_DATA_CONCURRENCY } from "./limits.js";
import { lookupEach, readPages } from "./section-pages.js";
import type { SectionCollector, SectionContext } from "./sections.js";

/** DescribeAutoScalingGroups returns at most 100 groups per page. */
export const ASG_PAGE_SIZE = 100;
/** DescribeLaunchTemplates returns at most 200 templates per page. */
export const LAUNCH_TEMPLATE_PAGE_SIZE = 200;
/** DescribeSpotInstanceRequests, DescribeFleets and DescribeSpotFleetRequests: up to 1000 per page. */
export const SPOT_PAGE_SIZE = 1000;
export const FLEET_PAGE_SIZE = 1000;
/** Items kept per region and list; a region beyond this is recorded as `partial`. */
export const RELAUNCH_LIST_CAP = 2000;
/** DescribeLaunchTemplateVersions takes one template per call: at most this many per region. */
export const LAUNCH_TEMPLATE_VERSIONS_CAP = 50;

/** Tags EC2 puts on the instances a fleet launched. */
const EC2_FLEET_TAG = "aws:ec2:fleet-id";
const SPOT_FLEET_TAG = "aws:ec2spot:fleet-request-id";

export interface RelaunchRegionInput {
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  region: string;
  window: { start: Date; end: Date };
  /** The EC2 inventory of this region: fleet instances are found by their tags. */
  instances: Instance[];
  coverage: CoverageRecorder;
}

export interface RelaunchRegionResult {
  region: string;
  /** True when at least one list was read in the region. */
  read: boolean;
  autoScalingGroups: AutoScalingGroup[];
  launchTemplates: LaunchTemplate[];
  spotRequests: SpotRequest[];
  fleets: Fleet[];
}

export const relaunchCollector: SectionCollector = {
  name: "relaunch",
  async collect(context: SectionContext) {
    const limit = pLimit(REGION_CONCURRENCY);
    const results = await limit.map(context.regions, (region) =>
      collectRelaunchRegion({
        ec2: context.clients.ec2(region),
        autoScaling: context.clients.autoScaling(region),
        region,
        window: context.window,
        instances: context.instances.filter((i) => i.region === region),
        coverage: context.coverage,
      }),
    );
    const relaunch: Relaunch = {
      regionsRead: results
        .filter((r) => r.read)
        .map((r) => r.region)
        .sort(),
      autoScalingGroups: results.flatMap((r) => r.autoScalingGroups),
      launchTemplates: results.flatMap((r) => r.launchTemplates),
      spotRequests: results.flatMap((r) => r.spotRequests),
      fleets: results.flatMap((r) => r.fleets),
    };
    context.progress(
      `Relaunch machinery: ${relaunch.autoScalingGroups.length} Auto Scaling groups, ${relaunch.spotRequests.length} spot requests, ${relaunch.fleets.length} fleets`,
    );
    return { relaunch };
  },
};

/** Reads one region's relaunch machinery. Never throws for an AWS error. */
export async function collectRelaunchRegion(input: RelaunchRegionInput): Promise<RelaunchRegionResult> {
  const { ec2, autoScaling, region, coverage } = input;
  const target = (service: string, api: string, noun: string) => ({
    coverage,
    region,
    service,
    api,
    noun,
    cap: RELAUNCH_LIST_CAP,
  });
  const [asgs, templates, spot, fleets, spotFleets] = await Promise.all([
    readPages(
      paginateDescribeAutoScalingGroups({ client: autoScaling }, { MaxRecords: ASG_PAGE_SIZE }),
      (page) => page.AutoScalingGroups ?? [],
      target("autoscaling", "DescribeAutoScalingGroups", "Auto Scaling groups"),
    ),
    readPages(
      paginateDescribeLaunchTemplates({ client: ec2 }, { MaxResults: LAUNCH_TEMPLATE_PAGE_SIZE }),
      (page) => page.LaunchTemplates ?? [],
      target("ec2", "DescribeLaunchTemplates", "launch templates"),
    ),
    readPages(
      paginateDescribeSpotInstanceRequests({ client: ec2 }, { MaxResults: SPOT_PAGE_SIZE }),
      (page) => page.SpotInstanceRequests ?? [],
      target("ec2", "DescribeSpotInstanceRequests", "spot instance requests"),
    ),
    readPages(
      paginateDescribeFleets({ client: ec2 }, { MaxResults: FLEET_PAGE_SIZE }),
      (page) => page.Fleets ?? [],
      target("ec2", "DescribeFleets", "EC2 fleets"),
    ),
    readPages(
      paginateDescribeSpotFleetRequests({ client: ec2 }, { MaxResults: FLEET_PAGE_SIZE }),
      (page) => page.SpotFleetRequestConfigs ?? [],
      target("ec2", "DescribeSpotFleetRequests", "spot fleet requests"),
    ),
  ]);

  const autoScalingGroups = asgs.items.flatMap((raw) => toAutoScalingGroup(raw, region) ?? []);
  const launchTemplates = templates.items.flatMap((raw) => toLaunchTemplate(raw, region) ?? []);
  const spotRequests = spot.items.flatMap((raw) => toSpotRequest(raw, region) ?? []);
  const allFleets = [
    ...fleets.items.flatMap((raw) => toEc2Fleet(raw, region) ?? []),
    ...spotFleets.items.flatMap((raw) => toSpotFleet(raw, region) ?? []),
  ];
  attachFleetInstances(allFleets, input.instances);

  const wanted = templatesWorthALook(launchTemplates, autoScalingGroups, allFleets, input.window);
  await lookupEach(
    wanted,
    async (template) => {
      const answer = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.id, Versions: ["$Latest"] }),
      );
      const data = answer.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      if (!data) return;
      if (data.InstanceType) template.instanceType = data.InstanceType;
      if (data.ImageId) template.imageId = data.ImageId;
      if (data.DisableApiTermination !== undefined) template.disableApiTermination = data.DisableApiTermination;
      if (data.UserData) template.userData = decodeUserData(data.UserData);
    },
    {
      coverage,
      region,
      service: "ec2",
      api: "DescribeLaunchTemplateVersions",
      noun: "latest launch template versions",
      cap: LAUNCH_TEMPLATE_VERSIONS_CAP,
      concurrency: USER_DATA_CONCURRENCY,
    },
  );

  // Types the templates launch complete the picture of groups that did not name their own.
  const typeOfTemplate = new Map(launchTemplates.flatMap((t) => (t.instanceType ? [[t.id, t.instanceType]] : [])));
  for (const group of autoScalingGroups) {
    const type = group.launchTemplateId ? typeOfTemplate.get(group.launchTemplateId) : undefined;
    if (group.instanceTypes.length === 0 && type) group.instanceTypes = [type];
  }

  return {
    region,
    read: asgs.read || templates.read || spot.read || fleets.read || spotFleets.read,
    autoScalingGroups,
    launchTemplates,
    spotRequests,
    fleets: allFleets,
  };
}

function tagsOf(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? "";
  return out;
}

function sortedUnique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
}

export function toAutoScalingGroup(raw: AsgApi, region: string): AutoScalingGroup | undefined {
  if (!raw.AutoScalingGroupName || !raw.CreatedTime) return undefined;
  const mixed = raw.MixedInstancesPolicy?.LaunchTemplate;
  const template = raw.LaunchTemplate ?? mixed?.LaunchTemplateSpecification;
  const instances = raw.Instances ?? [];
  return {
    name: raw.AutoScalingGroupName,
    ...(raw.AutoScalingGroupARN ? { arn: raw.AutoScalingGroupARN } : {}),
    region,
    createdTime: raw.CreatedTime.toISOString(),
    minSize: raw.MinSize ?? 0,
    maxSize: raw.MaxSize ?? 0,
    desiredCapacity: raw.DesiredCapacity ?? 0,
    ...(template?.LaunchTemplateId ? { launchTemplateId: template.LaunchTemplateId } : {}),
    ...(template?.LaunchTemplateName ? { launchTemplateName: template.LaunchTemplateName } : {}),
    ...(raw.LaunchConfigurationName ? { launchConfigurationName: raw.LaunchConfigurationName } : {}),
    instanceTypes: sortedUnique([
      ...(mixed?.Overrides ?? []).map((o) => o.InstanceType),
      ...instances.map((i) => i.InstanceType),
    ]),
    instanceIds: sortedUnique(instances.map((i) => i.InstanceId)),
    tags: tagsOf(raw.Tags),
  };
}

export function toLaunchTemplate(raw: LaunchTemplateApi, region: string): LaunchTemplate | undefined {
  if (!raw.LaunchTemplateId || !raw.CreateTime) return undefined;
  return {
    id: raw.LaunchTemplateId,
    name: raw.LaunchTemplateName ?? raw.LaunchTemplateId,
    region,
    createTime: raw.CreateTime.toISOString(),
    ...(raw.CreatedBy ? { createdBy: raw.CreatedBy } : {}),
    ...(raw.LatestVersionNumber !== undefined ? { latestVersion: raw.LatestVersionNumber } : {}),
  };
}

export function toSpotRequest(raw: SpotInstanceRequest, region: string): SpotRequest | undefined {
  if (!raw.SpotInstanceRequestId || !raw.CreateTime) return undefined;
  const spec = raw.LaunchSpecification;
  return {
    id: raw.SpotInstanceRequestId,
    region,
    state: raw.State ?? "unknown",
    type: raw.Type ?? "one-time",
    ...(spec?.InstanceType ? { instanceType: spec.InstanceType } : {}),
    createTime: raw.CreateTime.toISOString(),
    ...(raw.InstanceId ? { instanceId: raw.InstanceId } : {}),
    ...(spec?.UserData ? { userData: decodeUserData(spec.UserData) } : {}),
  };
}

export function toEc2Fleet(raw: FleetData, region: string): Fleet | undefined {
  if (!raw.FleetId || !raw.CreateTime) return undefined;
  const configs = raw.LaunchTemplateConfigs ?? [];
  return {
    id: raw.FleetId,
    region,
    kind: "ec2-fleet",
    ...(raw.Type ? { type: raw.Type } : {}),
    state: raw.FleetState ?? "unknown",
    createTime: raw.CreateTime.toISOString(),
    ...(raw.TargetCapacitySpecification?.TotalTargetCapacity !== undefined
      ? { targetCapacity: raw.TargetCapacitySpecification.TotalTargetCapacity }
      : {}),
    instanceTypes: sortedUnique([
      ...configs.flatMap((c) => (c.Overrides ?? []).map((o) => o.InstanceType)),
      ...(raw.Instances ?? []).map((i) => i.InstanceType),
    ]),
    launchTemplateIds: sortedUnique(configs.map((c) => c.LaunchTemplateSpecification?.LaunchTemplateId)),
    instanceIds: sortedUnique((raw.Instances ?? []).flatMap((i) => i.InstanceIds ?? [])),
  };
}

export function toSpotFleet(raw: SpotFleetRequestConfig, region: string): Fleet | undefined {
  if (!raw.SpotFleetRequestId || !raw.CreateTime) return undefined;
  const config = raw.SpotFleetRequestConfig;
  const specs = config?.LaunchSpecifications ?? [];
  const templates = config?.LaunchTemplateConfigs ?? [];
  const userData = specs.find((s) => s.UserData)?.UserData;
  return {
    id: raw.SpotFleetRequestId,
    region,
    kind: "spot-fleet",
    ...(config?.Type ? { type: config.Type } : {}),
    state: raw.SpotFleetRequestState ?? "unknown",
    createTime: raw.CreateTime.toISOString(),
    ...(config?.TargetCapacity !== undefined ? { targetCapacity: config.TargetCapacity } : {}),
    instanceTypes: sortedUnique([
      ...specs.map((s) => s.InstanceType),
      ...templates.flatMap((c) => (c.Overrides ?? []).map((o) => o.InstanceType)),
    ]),
    launchTemplateIds: sortedUnique(templates.map((c) => c.LaunchTemplateSpecification?.LaunchTemplateId)),
    instanceIds: [],
    ...(userData ? { userData: decodeUserData(userData) } : {}),
  };
}

/** Adds the inventory instances a fleet launched (EC2 tags them with the fleet's id). */
function attachFleetInstances(fleets: Fleet[], instances: Instance[]): void {
  for (const fleet of fleets) {
    const tag = fleet.kind === "ec2-fleet" ? EC2_FLEET_TAG : SPOT_FLEET_TAG;
    const tagged = instances.filter((i) => i.tags[tag] === fleet.id).map((i) => i.instanceId);
    fleet.instanceIds = sortedUnique([...fleet.instanceIds, ...tagged]);
  }
}

/**
 * Templates whose latest version is worth a DescribeLaunchTemplateVersions call (one call per
 * template): created in the window, or used by a group or fleet created in the window. Newest first.
 */
export function templatesWorthALook(
  templates: LaunchTemplate[],
  groups: AutoScalingGroup[],
  fleets: Fleet[],
  window: { start: Date; end: Date },
): LaunchTemplate[] {
  const inWindow = (iso: string) => Date.parse(iso) >= window.start.getTime();
  const referenced = new Set<string>([
    ...groups.filter((g) => inWindow(g.createdTime)).flatMap((g) => g.launchTemplateId ?? []),
    ...fleets.filter((f) => inWindow(f.createTime)).flatMap((f) => f.launchTemplateIds),
  ]);
  return templates
    .filter((t) => inWindow(t.createTime) || referenced.has(t.id))
    .sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime) || (a.id < b.id ? -1 : 1));
}
