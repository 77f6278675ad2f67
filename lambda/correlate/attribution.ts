/**
 * Who launched it: CloudTrail events from the snapshot, grouped by principal. Pure functions of the
 * snapshot, used by the principal rules and by correlation (attribution on findings, one incident
 * per principal with its whole blast radius).
 *
 * A principal is keyed by its identity, never by access key: one IAM user may use several keys,
 * and an assumed role gets a new session (and ASIA key) for every run. See principalKey.
 */

import type { CloudTrailEvent, Principal } from "../core/sections/cloudtrail.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { Attribution } from "../report/model.js";
import type { ResourceRef } from "../rules/types.js";

/** Successful calls of these names start compute (or a service that runs it for the caller). */
export const COMPUTE_LAUNCH_EVENTS: ReadonlySet<string> = new Set([
  "RunInstances",
  "RequestSpotInstances",
  "CreateFleet",
  "RequestSpotFleet",
  "CreateAutoScalingGroup",
  "RunTask",
  "CreateService",
  "CreateNotebookInstance",
  "StartBuild",
  "CreateFunction20150331",
  "CreateApp",
]);

/** IAM calls that give an intruder a way back in after the first key is revoked. */
export const IAM_PERSISTENCE_EVENTS: ReadonlySet<string> = new Set([
  "CreateUser",
  "CreateAccessKey",
  "CreateLoginProfile",
  "AttachUserPolicy",
]);

/** Compute calls that keep compute coming back or hard to remove. */
export const RELAUNCH_EVENTS: ReadonlySet<string> = new Set([
  "CreateAutoScalingGroup",
  "CreateLaunchTemplate",
  "RequestSpotFleet",
  "RequestSpotInstances",
  "CreateFleet",
  "CreateService",
]);

/** A successful DryRun answers with this error: "you could have done it". */
const DRY_RUN_ERRORS = new Set(["Client.DryRunOperation", "DryRunOperation"]);
/** Denied calls: an intruder mapping what a stolen key may do. */
const UNAUTHORIZED_ERRORS = new Set([
  "Client.UnauthorizedOperation",
  "UnauthorizedOperation",
  "AccessDenied",
  "AccessDeniedException",
  "Client.AccessDenied",
]);

/** The stable key of a principal: the user or role ARN, `root:<account>`, or the AWS service. */
export function principalKey(principal: Principal): string {
  if (principal.type === "Root") return `root:${principal.accountId ?? accountOfArn(principal.arn) ?? "unknown"}`;
  if (principal.type === "AWSService") return `service:${principal.invokedBy ?? "unknown"}`;
  // An assumed role is the role, whatever the session is called this time.
  if (principal.roleArn) return principal.roleArn;
  if (principal.arn) return principal.arn;
  return `${principal.type}:${principal.userName ?? principal.accessKeyId ?? "unknown"}`;
}

function accountOfArn(arn: string | undefined): string | undefined {
  return arn?.split(":")[4] || undefined;
}

/** The resource a signal about a principal is about. */
export function principalRef(key: string): ResourceRef {
  return { type: "principal", id: key, region: "global" };
}

/** A long-term IAM user key (AKIA...), as opposed to temporary STS credentials (ASIA...). */
export function isLongTermKey(accessKeyId: string | undefined): boolean {
  return accessKeyId?.startsWith("AKIA") ?? false;
}

/** An AWS service acting on someone's behalf (Auto Scaling replacing an instance, CloudFormation...). */
export function isServiceInvoked(event: CloudTrailEvent): boolean {
  return event.principal.type === "AWSService" || event.principal.invokedBy !== undefined;
}

export function isComputeLaunch(event: CloudTrailEvent): boolean {
  return COMPUTE_LAUNCH_EVENTS.has(event.eventName) && event.errorCode === undefined;
}

export function isDryRun(event: CloudTrailEvent): boolean {
  return event.errorCode !== undefined && DRY_RUN_ERRORS.has(event.errorCode);
}

export function isUnauthorized(event: CloudTrailEvent): boolean {
  return event.errorCode !== undefined && UNAUTHORIZED_ERRORS.has(event.errorCode);
}

export function isQuotaRequest(event: CloudTrailEvent): boolean {
  return event.eventName === "RequestServiceQuotaIncrease" && event.errorCode === undefined;
}

export function isIamPersistence(event: CloudTrailEvent): boolean {
  return IAM_PERSISTENCE_EVENTS.has(event.eventName) && event.errorCode === undefined;
}

/** Where an ARN says a resource lives; the event's region otherwise (bare ids, names). */
function regionOf(id: string, event: CloudTrailEvent): string {
  if (id.startsWith("arn:")) {
    const region = id.split(":")[3];
    return region ? region : "global";
  }
  return IAM_PERSISTENCE_EVENTS.has(event.eventName) ? "global" : event.region;
}

/** The resources an event names, as signal resources (type defaults to `aws-resource`). */
export function resourceRefsOf(event: CloudTrailEvent): ResourceRef[] {
  return event.resources.map((r) => ({ type: r.type ?? "aws-resource", id: r.id, region: regionOf(r.id, event) }));
}

/** Resources a successful launch created (instances, tasks, notebooks...), deduplicated. */
export function launchedResources(events: readonly CloudTrailEvent[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const event of events) {
    if (!isComputeLaunch(event)) continue;
    for (const ref of resourceRefsOf(event)) {
      // A RunTask names its task definition and cluster too: those were not launched by it.
      if (ref.type === "ecs-task-definition" || ref.type === "ecs-cluster") continue;
      seen.set(`${ref.type}:${ref.id}`, ref);
    }
  }
  return [...seen.values()];
}

function events(snapshot: Pick<AccountSnapshot, "cloudTrail">): CloudTrailEvent[] {
  return snapshot.cloudTrail?.events ?? [];
}

/** Every event of the snapshot by principal key (all of the history read, oldest first). */
export function eventsByPrincipal(snapshot: Pick<AccountSnapshot, "cloudTrail">): Map<string, CloudTrailEvent[]> {
  const byKey = new Map<string, CloudTrailEvent[]>();
  for (const event of [...events(snapshot)].sort(byTime)) {
    const key = principalKey(event.principal);
    const list = byKey.get(key);
    if (list) list.push(event);
    else byKey.set(key, [event]);
  }
  return byKey;
}

function byTime(a: CloudTrailEvent, b: CloudTrailEvent): number {
  return Date.parse(a.eventTime) - Date.parse(b.eventTime) || (a.eventId < b.eventId ? -1 : 1);
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ""))].sort();
}

/** How far before a still-running launch its lead-up (probes, IAM users) is counted with it. */
export const CAMPAIGN_LEAD_HOURS = 24;
/** Instance states that still run (and cost): a launch that made them is not yesterday's news. */
const ACTIVE_STATES: ReadonlySet<string> = new Set(["pending", "running"]);

/** What principalActivity reads: the CloudTrail section, the window, and the instances (optional). */
export type AttributionSnapshot = Pick<AccountSnapshot, "cloudTrail" | "window"> &
  Partial<Pick<AccountSnapshot, "instances">>;

/**
 * Everything one principal did in its activity period, sorted into what a responder needs. The
 * period is the audit window, extended back when instances the principal launched before the window
 * still run (a campaign started yesterday is still today's incident), CAMPAIGN_LEAD_HOURS before
 * that launch so its probes and IAM users come with it.
 */
export interface PrincipalActivity {
  principalKey: string;
  /** The identity as CloudTrail recorded it on the principal's first call in the period. */
  principal: Principal;
  /** Start of the activity period (ISO): the window start or earlier, see above. */
  since: string;
  accessKeyIds: string[];
  sourceIps: string[];
  userAgents: string[];
  /** Regions the principal made calls in (IAM calls count as us-east-1). */
  regions: string[];
  firstCallAt?: string;
  lastCallAt?: string;
  /** All of the principal's events in the period, oldest first. */
  events: CloudTrailEvent[];
  /** Successful compute launches in the period. */
  launches: CloudTrailEvent[];
  /** What those launches created (ec2-instance, ecs-task, sagemaker-notebook, lambda-function...). */
  launchedResources: ResourceRef[];
  /** DryRun calls that answered "would have succeeded". */
  dryRuns: CloudTrailEvent[];
  quotaRequests: CloudTrailEvent[];
  /** Calls denied for lack of permission. */
  unauthorized: CloudTrailEvent[];
  /** IAM users, keys, login profiles and policies created or attached. */
  iamPersistence: CloudTrailEvent[];
  /** Auto Scaling groups, launch templates, spot requests and fleets, services: what relaunches. */
  relaunchMachinery: CloudTrailEvent[];
  /** Termination protection switched on (ModifyInstanceAttribute disableApiTermination=true). */
  terminationProtection: CloudTrailEvent[];
  /** Successful compute launches in the history read before the period (the lookback). */
  launchesBefore: CloudTrailEvent[];
  /** Source IPs the principal used before the period. */
  sourceIpsBefore: string[];
  /** Every event of the principal in the history read, oldest first (period and before). */
  history: CloudTrailEvent[];
}

/** When the principal's activity period starts (see PrincipalActivity). */
function periodStart(all: readonly CloudTrailEvent[], snapshot: AttributionSnapshot): number {
  const windowStart = Date.parse(snapshot.window.start);
  const active = new Set((snapshot.instances ?? []).filter((i) => ACTIVE_STATES.has(i.state)).map((i) => i.instanceId));
  if (active.size === 0) return windowStart;
  const stillRunning = all.find(
    (e) => Date.parse(e.eventTime) < windowStart && isComputeLaunch(e) && e.resources.some((r) => active.has(r.id)),
  );
  if (!stillRunning) return windowStart;
  return Date.parse(stillRunning.eventTime) - CAMPAIGN_LEAD_HOURS * 3_600_000;
}

/** What `principalKey` did in its activity period; undefined when it did nothing there. */
export function principalActivity(snapshot: AttributionSnapshot, key: string): PrincipalActivity | undefined {
  const all = eventsByPrincipal(snapshot).get(key) ?? [];
  const since = periodStart(all, snapshot);
  const end = Date.parse(snapshot.window.end);
  const periodEvents = all.filter((e) => Date.parse(e.eventTime) >= since && Date.parse(e.eventTime) <= end);
  const first = periodEvents[0];
  if (!first) return undefined;
  const before = all.filter((e) => Date.parse(e.eventTime) < since);
  const launches = periodEvents.filter(isComputeLaunch);
  return {
    principalKey: key,
    principal: first.principal,
    since: new Date(since).toISOString(),
    accessKeyIds: unique(periodEvents.map((e) => e.principal.accessKeyId)),
    sourceIps: unique(periodEvents.map((e) => e.sourceIpAddress)),
    userAgents: unique(periodEvents.map((e) => e.userAgent)),
    regions: unique(periodEvents.map((e) => e.region)),
    firstCallAt: first.eventTime,
    lastCallAt: (periodEvents[periodEvents.length - 1] ?? first).eventTime,
    events: periodEvents,
    launches,
    launchedResources: launchedResources(launches),
    dryRuns: periodEvents.filter(isDryRun),
    quotaRequests: periodEvents.filter(isQuotaRequest),
    unauthorized: periodEvents.filter(isUnauthorized),
    iamPersistence: periodEvents.filter(isIamPersistence),
    relaunchMachinery: periodEvents.filter((e) => RELAUNCH_EVENTS.has(e.eventName) && e.errorCode === undefined),
    terminationProtection: periodEvents.filter(
      (e) =>
        e.eventName === "ModifyInstanceAttribute" &&
        e.errorCode === undefined &&
        e.request.disableApiTermination === "true",
    ),
    launchesBefore: before.filter(isComputeLaunch),
    sourceIpsBefore: unique(before.map((e) => e.sourceIpAddress)),
    history: all,
  };
}

/**
 * Keys of every principal with an activity period: a call in the window, or instances launched
 * before it that still run. Ordered by their first call in that period, then key.
 */
export function activePrincipals(snapshot: AttributionSnapshot): string[] {
  const starts: [string, number][] = [];
  for (const key of eventsByPrincipal(snapshot).keys()) {
    const activity = principalActivity(snapshot, key);
    if (activity?.firstCallAt) starts.push([key, Date.parse(activity.firstCallAt)]);
  }
  return starts.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
}

/** True when the event names `id`, as a resource or as the instance a request changed. */
function eventNames(event: CloudTrailEvent, id: string): boolean {
  if (event.resources.some((r) => r.id === id || (r.id.startsWith("arn:") && r.id.endsWith(`/${id}`)))) return true;
  return event.request.instanceId === id;
}

/**
 * Who created or changed the given resources (refs or bare ids: instance ids, ARNs, names), one
 * Attribution per principal, earliest first. An
 * event ties a principal to a resource when it names the resource (LookupEvents resources, ids in
 * the response such as RunInstances' instancesSet, or the instance a ModifyInstanceAttribute
 * changed). Failed calls never tie: a denied or DryRun call created nothing. firstCallAt is the
 * principal's first call in the window (probes included), the start of the incident's timeline.
 */
export function attributeResources(
  resources: readonly (Pick<ResourceRef, "type" | "id" | "region"> | string)[],
  snapshot: AttributionSnapshot,
): Attribution[] {
  const ids = [...new Set(resources.map((r) => (typeof r === "string" ? r : r.id)))];
  if (ids.length === 0) return [];
  const tying = new Map<string, CloudTrailEvent[]>();
  for (const event of [...events(snapshot)].sort(byTime)) {
    if (event.errorCode !== undefined) continue;
    if (!ids.some((id) => eventNames(event, id))) continue;
    const key = principalKey(event.principal);
    const list = tying.get(key);
    if (list) list.push(event);
    else tying.set(key, [event]);
  }
  const attributions: Attribution[] = [];
  for (const [key, tied] of tying) {
    const activity = principalActivity(snapshot, key);
    const firstTied = tied[0];
    if (!firstTied) continue;
    const principal = firstTied.principal;
    const sessions = unique(tied.map((e) => (e.principal.roleArn ? e.principal.arn : undefined)));
    const related = activity ? [...tied, ...activity.events] : tied;
    attributions.push({
      principalType: principal.type,
      ...(principalArnOf(principal) ? { principalArn: principalArnOf(principal) } : {}),
      ...(sessions[0] ? { sessionArn: sessions[0] } : {}),
      ...(principal.userName ? { userName: principal.userName } : {}),
      accessKeyIds: unique(related.map((e) => e.principal.accessKeyId)),
      sourceIps: unique(related.map((e) => e.sourceIpAddress)),
      userAgents: unique(related.map((e) => e.userAgent)),
      firstCallAt: activity?.firstCallAt ?? firstTied.eventTime,
      events: tied.map((e) => ({
        eventId: e.eventId,
        eventName: e.eventName,
        eventTime: e.eventTime,
        region: e.region,
      })),
    });
  }
  return attributions.sort((a, b) => compareText(a.firstCallAt ?? "", b.firstCallAt ?? ""));
}

/** The ARN to name a principal by: the role for an assumed role, the root ARN for root. */
export function principalArnOf(principal: Principal): string | undefined {
  if (principal.roleArn) return principal.roleArn;
  if (principal.arn) return principal.arn;
  if (principal.type === "Root" && principal.accountId) return `arn:aws:iam::${principal.accountId}:root`;
  return undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A short label for messages: `IAM user ci-deploy`, `role ml-pipeline`, `the root user`. */
export function describePrincipal(principal: Principal): string {
  if (principal.type === "Root") return "the root user";
  if (principal.type === "IAMUser") return `IAM user ${principal.userName ?? principal.arn ?? "unknown"}`;
  if (principal.roleArn) return `role ${principal.roleArn.split("/").at(-1) ?? principal.roleArn}`;
  if (principal.type === "AWSService") return `AWS service ${principal.invokedBy ?? "unknown"}`;
  return `${principal.type} ${principal.arn ?? principal.userName ?? "unknown"}`;
}

/**
 * The details every principal signal carries, so the report and email can name who it was:
 * principalArn, accessKeyIds, sourceIps (and the first of each, which the email's "Who" line reads).
 */
export function principalDetails(activity: PrincipalActivity): Record<string, string | string[]> {
  const arn = principalArnOf(activity.principal) ?? activity.principalKey;
  return {
    principalKey: activity.principalKey,
    principalType: activity.principal.type,
    principalArn: arn,
    accessKeyIds: activity.accessKeyIds,
    sourceIps: activity.sourceIps,
    userAgents: activity.userAgents,
    ...(activity.accessKeyIds[0] ? { accessKeyId: activity.accessKeyIds[0] } : {}),
    ...(activity.sourceIps[0] ? { sourceIp: activity.sourceIps[0] } : {}),
    ...(activity.firstCallAt ? { firstCallAt: activity.firstCallAt } : {}),
  };
}

/**
 * Since when the snapshot's CloudTrail history of compute launches is complete: the lookup start,
 * or later when a launch lookup stopped at its page limit (LookupEvents pages newest first, so the
 * oldest part is what is missing). Undefined when no CloudTrail history was read.
 */
export function launchHistoryKnownSince(snapshot: Pick<AccountSnapshot, "cloudTrail">): string | undefined {
  const trail = snapshot.cloudTrail;
  if (!trail?.lookupStart) return undefined;
  let since = trail.lookupStart;
  for (const cut of trail.truncated) {
    if (!COMPUTE_LAUNCH_EVENTS.has(cut.eventName)) continue;
    if (cut.oldestEventTime && cut.oldestEventTime > since) since = cut.oldestEventTime;
  }
  return since;
}

/** Service-linked roles (aws-service-role/) and AWS services act for someone else: not suspects. */
export function isServicePrincipal(key: string, activity: PrincipalActivity): boolean {
  if (key.startsWith("service:") || key.includes(":role/aws-service-role/")) return true;
  return activity.events.length > 0 && activity.events.every(isServiceInvoked);
}

/** Calls made by hand in the console, or by AWS itself, rather than by a script with a key. */
const CONSOLE_OR_AWS_AGENT =
  /^(AWS Internal|console\.amazonaws\.com|signin\.amazonaws\.com|[a-z0-9.-]+\.amazonaws\.com$)|aws-internal/i;

/** A script or SDK (Boto3, aws-cli, aws-sdk-go, curl...), not the console. */
export function isProgrammaticAgent(userAgent: string | undefined): boolean {
  if (!userAgent) return false;
  return !CONSOLE_OR_AWS_AGENT.test(userAgent);
}

/** An IP address (v4 or v6) rather than an AWS service name or "AWS Internal". */
export function isIpAddress(source: string | undefined): boolean {
  if (!source) return false;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(source) || /^[0-9a-f:]+$/i.test(source);
}
