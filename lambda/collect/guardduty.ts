/**
 * The GuardDuty collector: per region, whether a detector is on (and which protections: Runtime
 * Monitoring for ECS/EKS/EC2, Lambda network logs), and GuardDuty's own mining findings.
 *
 * GuardDuty only sees regions where it is enabled, so "no detector" is data, not an error: such a
 * region is listed in regionsChecked with no detector, and MW-GUARDDUTY-DISABLED says what that means.
 * A region whose detectors could not be read stays out of regionsChecked and gets a coverage entry.
 */
import {
  type Finding,
  GetDetectorCommand,
  GetFindingsCommand,
  type GuardDutyClient,
  paginateListDetectors,
  paginateListFindings,
} from "@aws-sdk/client-guardduty";
import pLimit from "p-limit";
import {
  type GuardDuty,
  type GuardDutyDetector,
  type GuardDutyFinding,
  MINING_FINDING_TYPES,
} from "../core/sections/guardduty.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { REGION_CONCURRENCY } from "./limits.js";
import type { SectionCollector, SectionContext } from "./sections.js";

const SERVICE = "guardduty";

/** ListFindings returns at most 50 ids per page; GetFindings accepts at most 50 ids per call. */
export const LIST_FINDINGS_PAGE_SIZE = 50;
export const GET_FINDINGS_BATCH = 50;
/** Mining findings read per detector; more is an incident already, and the rest is a `partial` gap. */
export const DEFAULT_FINDINGS_CAP = 500;

export interface GuardDutyRegionResult {
  /** True when ListDetectors and every GetDetector answered. */
  checked: boolean;
  detectors: GuardDutyDetector[];
  findings: GuardDutyFinding[];
}

export interface GuardDutyRegionInput {
  client: GuardDutyClient;
  region: string;
  window: { start: Date; end: Date };
  coverage: CoverageRecorder;
  findingsCap?: number;
}

export async function collectGuardDutyRegion(input: GuardDutyRegionInput): Promise<GuardDutyRegionResult> {
  const { client, region, coverage } = input;
  const detectorIds: string[] = [];
  try {
    for await (const page of paginateListDetectors({ client }, {})) detectorIds.push(...(page.DetectorIds ?? []));
  } catch (error) {
    coverage.failed(region, SERVICE, "ListDetectors", error);
    return { checked: false, detectors: [], findings: [] };
  }
  if (detectorIds.length === 0) {
    coverage.ok(region, SERVICE, "ListDetectors", "no detector: GuardDuty is off in this region");
    return { checked: true, detectors: [], findings: [] };
  }
  coverage.ok(region, SERVICE, "ListDetectors", `${detectorIds.length} detector(s)`);

  let checked = true;
  const detectors: GuardDutyDetector[] = [];
  const findings: GuardDutyFinding[] = [];
  for (const detectorId of detectorIds) {
    const detector = await getDetector(client, region, detectorId, coverage);
    if (detector) detectors.push(detector);
    else checked = false;
    // A suspended detector still holds findings from before it was suspended: read them either way.
    findings.push(...(await readMiningFindings(input, detectorId)));
  }
  return { checked, detectors, findings };
}

async function getDetector(
  client: GuardDutyClient,
  region: string,
  detectorId: string,
  coverage: CoverageRecorder,
): Promise<GuardDutyDetector | undefined> {
  try {
    const answer = await client.send(new GetDetectorCommand({ DetectorId: detectorId }));
    const features: Record<string, string> = {};
    for (const feature of answer.Features ?? []) {
      if (!feature.Name || !feature.Status) continue;
      features[feature.Name] = feature.Status;
      for (const extra of feature.AdditionalConfiguration ?? []) {
        if (extra.Name && extra.Status) features[`${feature.Name}/${extra.Name}`] = extra.Status;
      }
    }
    coverage.ok(region, SERVICE, "GetDetector");
    return { region, detectorId, status: answer.Status === "ENABLED" ? "ENABLED" : "DISABLED", features };
  } catch (error) {
    coverage.failed(region, SERVICE, "GetDetector", error);
    return undefined;
  }
}

async function readMiningFindings(input: GuardDutyRegionInput, detectorId: string): Promise<GuardDutyFinding[]> {
  const { client, region, coverage, window } = input;
  const cap = input.findingsCap ?? DEFAULT_FINDINGS_CAP;
  const ids: string[] = [];
  let capped = false;
  try {
    const pager = paginateListFindings(
      { client, pageSize: LIST_FINDINGS_PAGE_SIZE },
      {
        DetectorId: detectorId,
        FindingCriteria: {
          Criterion: {
            type: { Equals: [...MINING_FINDING_TYPES] },
            // Epoch milliseconds: findings still being updated during the window, however old.
            updatedAt: { GreaterThanOrEqual: window.start.getTime() },
          },
        },
        // Newest first, so a cap keeps the findings that matter now.
        SortCriteria: { AttributeName: "updatedAt", OrderBy: "DESC" },
      },
    );
    for await (const page of pager) {
      ids.push(...(page.FindingIds ?? []));
      if (ids.length >= cap) {
        capped = ids.length > cap || page.NextToken !== undefined;
        break;
      }
    }
  } catch (error) {
    if (ids.length === 0) {
      coverage.failed(region, SERVICE, "ListFindings", error);
      return [];
    }
    const { reason, message } = classifyAwsError(error);
    coverage.partial(region, SERVICE, "ListFindings", reason, `stopped after ${ids.length} finding ids: ${message}`);
  }
  const wanted = ids.slice(0, cap);
  if (capped) {
    coverage.partial(
      region,
      SERVICE,
      "ListFindings",
      "not-requested",
      `more than ${cap} mining findings updated in the window; the ${cap} most recently updated were read`,
    );
  } else {
    coverage.ok(region, SERVICE, "ListFindings", `${wanted.length} mining finding(s)`);
  }
  if (wanted.length === 0) return [];

  const findings: GuardDutyFinding[] = [];
  let failedIds = 0;
  let firstError: unknown;
  for (let k = 0; k < wanted.length; k += GET_FINDINGS_BATCH) {
    const batch = wanted.slice(k, k + GET_FINDINGS_BATCH);
    try {
      const answer = await client.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: batch }));
      for (const raw of answer.Findings ?? []) {
        const finding = toFinding(raw, region);
        if (finding) findings.push(finding);
      }
    } catch (error) {
      failedIds += batch.length;
      firstError ??= error;
    }
  }
  if (failedIds === 0) coverage.ok(region, SERVICE, "GetFindings", `${findings.length} finding(s)`);
  else if (failedIds === wanted.length) coverage.failed(region, SERVICE, "GetFindings", firstError);
  else {
    const { reason, message } = classifyAwsError(firstError);
    coverage.partial(
      region,
      SERVICE,
      "GetFindings",
      reason,
      `${failedIds} of ${wanted.length} findings not read: ${message}`,
    );
  }
  return findings;
}

function isoOrUndefined(value: string | Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A GuardDuty finding reduced to what rules and responders need. */
export function toFinding(raw: Finding, region: string): GuardDutyFinding | undefined {
  if (!raw.Id || !raw.Type) return undefined;
  const resource = raw.Resource;
  const ecs = resource?.EcsClusterDetails;
  const lambda = resource?.LambdaDetails;
  const firstSeen = isoOrUndefined(raw.Service?.EventFirstSeen) ?? isoOrUndefined(raw.CreatedAt);
  const lastSeen = isoOrUndefined(raw.Service?.EventLastSeen) ?? isoOrUndefined(raw.UpdatedAt) ?? firstSeen;
  if (!firstSeen || !lastSeen) return undefined;
  const resourceId =
    ecs?.TaskDetails?.Arn ??
    lambda?.FunctionArn ??
    ecs?.Arn ??
    resource?.EksClusterDetails?.Arn ??
    resource?.EksClusterDetails?.Name ??
    resource?.ContainerDetails?.Name;
  return {
    id: raw.Id,
    region: raw.Region ?? region,
    type: raw.Type,
    severity: raw.Severity ?? 0,
    title: raw.Title ?? raw.Type,
    ...(resource?.ResourceType ? { resourceType: resource.ResourceType } : {}),
    ...(resource?.InstanceDetails?.InstanceId ? { instanceId: resource.InstanceDetails.InstanceId } : {}),
    ...(resource?.AccessKeyDetails?.AccessKeyId ? { accessKeyId: resource.AccessKeyDetails.AccessKeyId } : {}),
    ...(resourceId ? { resourceId } : {}),
    ...(ecs?.Arn ? { clusterArn: ecs.Arn } : {}),
    ...(raw.Service?.Archived !== undefined ? { archived: raw.Service.Archived } : {}),
    firstSeen,
    lastSeen,
    count: raw.Service?.Count ?? 1,
  };
}

export async function collectGuardDuty(context: SectionContext): Promise<GuardDuty> {
  const limit = pLimit(REGION_CONCURRENCY);
  const results = await limit.map(context.regions, async (region) => {
    const result = await collectGuardDutyRegion({
      client: context.clients.guardDuty(region),
      region,
      window: context.window,
      coverage: context.coverage,
    });
    return { region, ...result };
  });
  context.progress(`GuardDuty: ${results.filter((r) => r.checked).length} of ${results.length} regions read`);
  return {
    regionsChecked: results.filter((r) => r.checked).map((r) => r.region),
    detectors: results.flatMap((r) => r.detectors),
    findings: results.flatMap((r) => r.findings),
  };
}

export const guardDutyCollector: SectionCollector = {
  name: SERVICE,
  async collect(context) {
    return { guardDuty: await collectGuardDuty(context) };
  },
};
