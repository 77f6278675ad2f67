/**
 * CloudTrail event history (LookupEvents): who launched compute, who probed quotas and DryRun, who
 * created IAM users and keys. The data behind "who launched this?" and the principal rules.
 *
 * Why one call per event name: LookupEvents accepts exactly one lookup attribute per call. Looking
 * up by EventSource (ec2.amazonaws.com) would be fewer lookups but returns every read-only Describe
 * call as well, which in a busy account is hundreds of pages per day; by EventName we read only the
 * write events we need.
 *
 * Cost in calls: ~19 event names per region (plus 4 IAM names in us-east-1), usually one page each:
 * 17 regions x 19 names is about 320 calls. LookupEvents allows 2 requests per second per account
 * and region, so each region is paced at 2/s (lambda/collect/rate-limit.ts) and regions run in
 * parallel: about 10 s for a quiet account. A busy account pages more, up to MAX_PAGES_PER_EVENT_NAME
 * per name; a lookup cut short is recorded as `partial` coverage and in `cloudTrail.truncated`.
 *
 * Secrets: requestParameters can carry user data, environment variables and buildspecs. Only a few
 * named scalar values are kept (REQUEST_FIELDS); everything else of the request is dropped.
 */
import {
  type CloudTrailClient,
  type Event as CloudTrailSdkEvent,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { redactSecrets } from "../core/redact.js";
import type { CloudTrail, CloudTrailEvent, Principal } from "../core/sections/cloudtrail.js";
import { GLOBAL_REGION } from "./clients.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { type Clock, createRateLimiter, type RateLimiter, systemClock } from "./rate-limit.js";
import type { SectionCollector, SectionContext } from "./sections.js";

const SERVICE = "cloudtrail";
const API = "LookupEvents";
const DAY_MS = 24 * 3600 * 1000;

/**
 * Regional write events that start compute, prepare it, or keep it coming back. The Lambda names
 * carry the API version: CloudTrail records CreateFunction as CreateFunction20150331 and
 * UpdateFunctionCode as UpdateFunctionCode20150331v2.
 */
export const REGIONAL_EVENT_NAMES = [
  "RunInstances",
  "RequestSpotInstances",
  "CreateFleet",
  "RequestSpotFleet",
  "CreateAutoScalingGroup",
  "CreateLaunchTemplate",
  "ModifyInstanceAttribute",
  "RunTask",
  "CreateService",
  "CreateCluster",
  "RegisterTaskDefinition",
  "CreateNotebookInstance",
  "CreateNotebookInstanceLifecycleConfig",
  "StartBuild",
  "CreateProject",
  "CreateApp",
  "CreateFunction20150331",
  "UpdateFunctionCode20150331v2",
  "RequestServiceQuotaIncrease",
] as const;

/** IAM is global: its events are recorded in us-east-1 only, so they are read there once. */
export const IAM_EVENT_NAMES = ["CreateUser", "CreateAccessKey", "AttachUserPolicy", "CreateLoginProfile"] as const;

/**
 * History read before the window starts, so the rules can tell "first launch by this principal"
 * from a role that launches every night. A week covers daily and weekly jobs without paging
 * through months of a busy CI role's RunInstances.
 */
export const LOOKBACK_MARGIN_DAYS = 7;
/** CloudTrail event history keeps 90 days; LookupEvents cannot return anything older. */
export const EVENT_HISTORY_DAYS = 90;
/** LookupEvents: 2 requests per second per account per region. */
export const LOOKUP_REQUESTS_PER_SECOND = 2;
/** The API's maximum page size. */
export const LOOKUP_PAGE_SIZE = 50;
/** Pages per event name and region (1,000 events): enough for a window, bounded for a busy CI role. */
export const MAX_PAGES_PER_EVENT_NAME = 20;
/** Stored text values are capped: they are evidence, not payloads. */
const MAX_VALUE_LENGTH = 200;

export interface CloudTrailCollectorOptions {
  /** Time source for the rate limiter and the 90-day history bound; the system clock when absent. */
  clock?: Clock;
  maxPagesPerEventName?: number;
  requestsPerSecond?: number;
}

export function createCloudTrailCollector(options: CloudTrailCollectorOptions = {}): SectionCollector {
  return {
    name: SERVICE,
    collect: async (context) => ({ cloudTrail: await collectCloudTrail(context, options) }),
  };
}

export const cloudTrailCollector: SectionCollector = createCloudTrailCollector();

/** The history bound: window start minus the margin, but never before the 90-day event history. */
export function lookupPeriod(window: { start: Date; end: Date }, now: Date): { start: Date; end: Date } {
  const wanted = window.start.getTime() - LOOKBACK_MARGIN_DAYS * DAY_MS;
  const oldestKept = now.getTime() - EVENT_HISTORY_DAYS * DAY_MS;
  return { start: new Date(Math.max(wanted, oldestKept)), end: window.end };
}

export async function collectCloudTrail(
  context: SectionContext,
  options: CloudTrailCollectorOptions = {},
): Promise<CloudTrail> {
  const clock = options.clock ?? systemClock;
  const maxPages = options.maxPagesPerEventName ?? MAX_PAGES_PER_EVENT_NAME;
  const period = lookupPeriod(context.window, new Date(clock.now()));
  const limiters = new Map<string, RateLimiter>();
  const limiterFor = (region: string): RateLimiter => {
    let limiter = limiters.get(region);
    if (!limiter) {
      limiter = createRateLimiter({
        requestsPerSecond: options.requestsPerSecond ?? LOOKUP_REQUESTS_PER_SECOND,
        clock,
      });
      limiters.set(region, limiter);
    }
    return limiter;
  };

  const oldestKept = clock.now() - EVENT_HISTORY_DAYS * DAY_MS;
  if (context.window.start.getTime() < oldestKept) {
    context.coverage.skipped(
      "global",
      SERVICE,
      API,
      "not-requested",
      `The window starts ${context.window.start.toISOString()}, before CloudTrail's 90-day event history (from ${new Date(oldestKept).toISOString()}): launches before that cannot be attributed.`,
    );
  }

  if (period.start.getTime() >= period.end.getTime()) {
    // The whole window is older than the event history: there is nothing LookupEvents can return.
    context.coverage.skipped(
      "global",
      SERVICE,
      API,
      "not-requested",
      "No CloudTrail lookups: the whole window is older than the 90-day event history.",
    );
    return { regionsRead: [], eventNames: [], events: [], truncated: [] };
  }

  const lookups: Lookup[] = context.regions.map((region) => ({
    region,
    coverageRegion: region,
    eventNames: [...REGIONAL_EVENT_NAMES],
  }));
  // IAM events are read once in us-east-1 even when us-east-1 is not audited: IAM is global.
  lookups.push({ region: GLOBAL_REGION, coverageRegion: "global", eventNames: [...IAM_EVENT_NAMES] });

  const results = await Promise.all(
    lookups.map((lookup) =>
      readLookup(lookup, () => context.clients.cloudTrail(lookup.region), {
        limiter: limiterFor(lookup.region),
        period,
        maxPages,
        coverage: context.coverage,
      }),
    ),
  );
  const events = dedupeEvents(results.flatMap((r) => r.events));
  const readSomething = results.filter((r) => r.readAny);
  context.progress(`CloudTrail: ${events.length} events in ${readSomething.length} of ${lookups.length} lookups`);
  return {
    regionsRead: [
      ...new Set(results.filter((r) => r.readAny && r.coverageRegion !== "global").map((r) => r.region)),
    ].sort(),
    eventNames: [...REGIONAL_EVENT_NAMES, ...IAM_EVENT_NAMES],
    events,
    lookupStart: period.start.toISOString(),
    truncated: results.flatMap((r) => r.truncated),
  };
}

interface Lookup {
  /** Where the calls go. */
  region: string;
  /** Where coverage is recorded: the region, or `global` for IAM. */
  coverageRegion: string;
  eventNames: string[];
}

interface LookupResult {
  region: string;
  coverageRegion: string;
  events: CloudTrailEvent[];
  truncated: CloudTrail["truncated"];
  readAny: boolean;
}

interface LookupDeps {
  client: CloudTrailClient;
  limiter: RateLimiter;
  period: { start: Date; end: Date };
  maxPages: number;
  coverage: CoverageRecorder;
}

/** Reasons that will not change for the next event name: stop asking this region. */
const REGION_WIDE_FAILURES = new Set(["access-denied", "not-opted-in"]);

async function readLookup(
  lookup: Lookup,
  clientFor: () => CloudTrailClient,
  rest: Omit<LookupDeps, "client">,
): Promise<LookupResult> {
  const result: LookupResult = {
    region: lookup.region,
    coverageRegion: lookup.coverageRegion,
    events: [],
    truncated: [],
    readAny: false,
  };
  const failures: { eventName: string; error: unknown }[] = [];
  let deps: LookupDeps;
  try {
    deps = { ...rest, client: clientFor() };
  } catch (error) {
    // A client that cannot be built (bad region, no credentials) is this region's gap, not the run's.
    recordCoverage(lookup, result, [{ eventName: lookup.eventNames[0] ?? "", error }], 0, rest);
    return result;
  }
  let pagesRead = 0;
  for (const eventName of lookup.eventNames) {
    const read = await readEventName(eventName, lookup.region, deps);
    pagesRead += read.pages;
    if (read.pages > 0) result.readAny = true;
    result.events.push(...read.events);
    if (read.truncated) {
      const oldest = read.events.map((e) => e.eventTime).sort()[0];
      result.truncated.push({
        region: lookup.coverageRegion === "global" ? "global" : lookup.region,
        eventName,
        ...(oldest ? { oldestEventTime: oldest } : {}),
      });
    }
    if (read.error !== undefined) {
      failures.push({ eventName, error: read.error });
      if (REGION_WIDE_FAILURES.has(classifyAwsError(read.error).reason)) break;
    }
  }
  recordCoverage(lookup, result, failures, pagesRead, deps);
  return result;
}

function recordCoverage(
  lookup: Lookup,
  result: LookupResult,
  failures: { eventName: string; error: unknown }[],
  pagesRead: number,
  deps: Pick<LookupDeps, "coverage" | "maxPages" | "period">,
): void {
  const where = lookup.coverageRegion;
  const scope = where === "global" ? `IAM events (read in ${lookup.region})` : "event history";
  const first = failures[0];
  if (first && !result.readAny) {
    const { reason, message } = classifyAwsError(first.error);
    deps.coverage.entries.push({
      region: where,
      service: SERVICE,
      api: API,
      status: "failed",
      reason,
      message: `${scope}: ${message}`,
    });
    return;
  }
  if (first) {
    const { reason, message } = classifyAwsError(first.error);
    const names = failures.map((f) => f.eventName).join(", ");
    deps.coverage.partial(where, SERVICE, API, reason, `${scope}: not read for ${names}: ${message}`);
  }
  if (result.truncated.length > 0) {
    deps.coverage.partial(
      where,
      SERVICE,
      API,
      "error",
      `${scope}: stopped at the ${deps.maxPages}-page limit for ${result.truncated.map((t) => t.eventName).join(", ")}; older events of those names were not read`,
    );
  }
  if (!first && result.truncated.length === 0) {
    deps.coverage.ok(
      where,
      SERVICE,
      API,
      `${scope}: ${result.events.length} events, ${pagesRead} pages, since ${deps.period.start.toISOString()}`,
    );
  }
}

async function readEventName(
  eventName: string,
  region: string,
  deps: LookupDeps,
): Promise<{ events: CloudTrailEvent[]; pages: number; truncated: boolean; error?: unknown }> {
  const events: CloudTrailEvent[] = [];
  let pages = 0;
  let token: string | undefined;
  try {
    do {
      const page: LookupEventsCommandOutput = await deps.limiter.run(() =>
        deps.client.send(
          new LookupEventsCommand({
            // One attribute per call: the API rejects more.
            LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: eventName }],
            StartTime: deps.period.start,
            EndTime: deps.period.end,
            MaxResults: LOOKUP_PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      pages += 1;
      for (const raw of page.Events ?? []) {
        const event = normalizeEvent(raw, region);
        if (event) events.push(event);
      }
      token = page.NextToken;
    } while (token && pages < deps.maxPages);
  } catch (error) {
    return { events, pages, truncated: false, error };
  }
  return { events, pages, truncated: token !== undefined };
}

function dedupeEvents(events: CloudTrailEvent[]): CloudTrailEvent[] {
  const byId = new Map<string, CloudTrailEvent>();
  for (const event of events) byId.set(`${event.region}/${event.eventId}`, event);
  return [...byId.values()].sort(
    (a, b) =>
      compare(a.eventTime, b.eventTime) ||
      compare(a.region, b.region) ||
      compare(a.eventName, b.eventName) ||
      compare(a.eventId, b.eventId),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Normalizing one event

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function capped(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 3)}...` : value;
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * One LookupEvents event in the snapshot's shape. The CloudTrailEvent JSON string holds the full
 * record; when it is missing or unreadable the summary fields LookupEvents returns are used.
 */
export function normalizeEvent(raw: CloudTrailSdkEvent, lookupRegion: string): CloudTrailEvent | undefined {
  let record: JsonObject = {};
  if (raw.CloudTrailEvent) {
    try {
      const parsed: unknown = JSON.parse(raw.CloudTrailEvent);
      if (isObject(parsed)) record = parsed;
    } catch {
      // Fall back to the summary fields below.
    }
  }
  const eventId = str(record.eventID) ?? raw.EventId;
  const eventTime = str(record.eventTime) ?? raw.EventTime?.toISOString();
  const eventName = str(record.eventName) ?? raw.EventName;
  if (!eventId || !eventTime || !eventName || Number.isNaN(Date.parse(eventTime))) return undefined;
  const recordRegion = str(record.awsRegion);
  const region = recordRegion && AWS_REGION.test(recordRegion) ? recordRegion : lookupRegion;
  const principal = toPrincipal(record.userIdentity, raw);
  const request = selectRequestValues(eventName, record.requestParameters, record.responseElements);
  const errorCode = str(record.errorCode);
  const errorMessage = str(record.errorMessage);
  const sourceIp = str(record.sourceIPAddress);
  const userAgent = str(record.userAgent);
  return {
    eventId,
    eventTime: new Date(eventTime).toISOString(),
    eventName,
    eventSource: str(record.eventSource) ?? raw.EventSource ?? "unknown",
    region,
    principal,
    ...(sourceIp ? { sourceIpAddress: capped(sourceIp) } : {}),
    ...(userAgent ? { userAgent: capped(userAgent) } : {}),
    ...(errorCode ? { errorCode: capped(errorCode) } : {}),
    // Authorization failures carry a long encoded message: keep the readable start only.
    ...(errorMessage ? { errorMessage: capped(redactSecrets(errorMessage)) } : {}),
    resources: extractResources(raw, record.responseElements, record.requestParameters, eventName),
    request,
  };
}

function toPrincipal(identity: Json | undefined, raw: CloudTrailSdkEvent): Principal {
  if (!isObject(identity)) {
    return {
      type: "Unknown",
      ...(raw.Username ? { userName: raw.Username } : {}),
      ...(raw.AccessKeyId ? { accessKeyId: raw.AccessKeyId } : {}),
    };
  }
  const sessionContext = isObject(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isObject(sessionContext.sessionIssuer) ? sessionContext.sessionIssuer : {};
  const fields: [keyof Principal, string | undefined][] = [
    ["arn", str(identity.arn)],
    ["accountId", str(identity.accountId)],
    ["userName", str(identity.userName) ?? str(issuer.userName) ?? raw.Username],
    ["roleArn", str(issuer.type) === "Role" ? str(issuer.arn) : undefined],
    ["accessKeyId", str(identity.accessKeyId) ?? raw.AccessKeyId],
    ["invokedBy", str(identity.invokedBy)],
  ];
  const principal: Principal = { type: str(identity.type) ?? "Unknown" };
  for (const [key, value] of fields) if (value !== undefined) principal[key] = value;
  return principal;
}

/**
 * Request values kept, by key name wherever they appear in requestParameters (the shapes differ per
 * API: RunInstances nests imageId under instancesSet.items). Anything not named here is dropped.
 */
const REQUEST_FIELDS = new Set([
  "instanceType",
  "imageId",
  "minCount",
  "maxCount",
  "instanceId",
  "serviceCode",
  "quotaCode",
  "desiredValue",
  "taskDefinition",
  "cluster",
  "clusterName",
  "count",
  "launchType",
  "serviceName",
  "family",
  "cpu",
  "memory",
  "image",
  "projectName",
  "functionName",
  "memorySize",
  "timeout",
  "runtime",
  "notebookInstanceName",
  "notebookInstanceLifecycleConfigName",
  "lifecycleConfigName",
  "autoScalingGroupName",
  "launchTemplateName",
  "desiredCapacity",
  "maxSize",
  "targetCapacity",
  "totalTargetCapacity",
  "spotPrice",
  "instanceCount",
  "userName",
  "policyArn",
]);
/** Keys never descended into: free text, code and variables a user wrote (user data, env, buildspec). */
const NEVER_READ = new Set([
  "userData",
  "environment",
  "environmentVariables",
  "variables",
  "secrets",
  "code",
  "zipFile",
  "buildspec",
  "buildspecOverride",
  "source",
  "sourceVersion",
  "onCreate",
  "onStart",
  "content",
  "command",
  "entryPoint",
  "tagSpecificationSet",
  "tags",
  "customRules",
  "buildSpec",
  "environmentVariablesOverride",
]);
/** Top-level names whose meaning depends on the API (CreateProject, CreateApp, CreateCluster). */
const TOP_LEVEL_NAME_EVENTS = new Set(["CreateProject", "CreateApp", "CreateCluster"]);

export function selectRequestValues(
  eventName: string,
  requestParameters: Json | undefined,
  responseElements: Json | undefined,
): Record<string, string> {
  const selected: Record<string, string> = {};
  const images = new Set<string>();
  const visit = (value: Json, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (NEVER_READ.has(key)) continue;
      if (key === "disableApiTermination") {
        // ModifyInstanceAttribute sends {value: true}; RunInstances a plain boolean.
        const flag = isObject(child) ? child.value : child;
        if (typeof flag === "boolean") selected.disableApiTermination = String(flag);
        continue;
      }
      if (REQUEST_FIELDS.has(key) && isScalar(child)) {
        if (key === "image") images.add(capped(String(child)));
        else selected[key] ??= capped(redactSecrets(String(child)));
        continue;
      }
      visit(child, depth + 1);
    }
  };
  if (requestParameters !== undefined && requestParameters !== null) {
    visit(requestParameters, 0);
    if (isObject(requestParameters) && TOP_LEVEL_NAME_EVENTS.has(eventName)) {
      const name = str(requestParameters.name);
      if (name) selected.name = capped(name);
    }
  }
  if (images.size > 0) selected.images = capped([...images].sort().join(", "));
  // Ids a responder removes later, from the response: the key a CreateAccessKey made (never its
  // secret, which CloudTrail does not record), the template a CreateLaunchTemplate made.
  if (eventName === "CreateAccessKey" && isObject(responseElements) && isObject(responseElements.accessKey)) {
    const id = str(responseElements.accessKey.accessKeyId);
    if (id) selected.accessKeyId = id;
  }
  if (eventName === "CreateLaunchTemplate" && isObject(responseElements) && isObject(responseElements.launchTemplate)) {
    const id = str(responseElements.launchTemplate.launchTemplateId);
    if (id) selected.launchTemplateId = id;
  }
  if (eventName === "RequestServiceQuotaIncrease" && isObject(responseElements)) {
    const requested = isObject(responseElements.requestedQuota) ? responseElements.requestedQuota : {};
    const status = str(requested.status);
    if (status) selected.quotaRequestStatus = status;
  }
  return selected;
}

function isScalar(value: Json): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

// ---------------------------------------------------------------------------------------------
// Resources an event names

/** Response keys whose values identify what the call created, with the Minewatch resource type. */
const RESPONSE_ID_KEYS: Record<string, string> = {
  instanceId: "ec2-instance",
  instanceIds: "ec2-instance",
  spotInstanceRequestId: "spot-request",
  spotFleetRequestId: "spot-fleet",
  fleetId: "ec2-fleet",
  launchTemplateId: "launch-template",
  taskArn: "ecs-task",
  serviceArn: "ecs-service",
  clusterArn: "ecs-cluster",
  taskDefinitionArn: "ecs-task-definition",
  functionArn: "lambda-function",
  notebookInstanceArn: "sagemaker-notebook",
  notebookInstanceLifecycleConfigArn: "sagemaker-lifecycle-config",
  appArn: "amplify-app",
  accessKeyId: "iam-access-key",
};

/** Request keys that name the resource a call creates or changes when the response does not. */
const REQUEST_ID_KEYS: Record<string, Record<string, string>> = {
  CreateAutoScalingGroup: { autoScalingGroupName: "autoscaling-group" },
  ModifyInstanceAttribute: { instanceId: "ec2-instance" },
  CreateUser: { userName: "iam-user" },
  CreateLoginProfile: { userName: "iam-user" },
  AttachUserPolicy: { userName: "iam-user" },
  CreateNotebookInstance: { notebookInstanceName: "sagemaker-notebook" },
  StartBuild: { projectName: "codebuild-project" },
  CreateFunction20150331: { functionName: "lambda-function" },
  UpdateFunctionCode20150331v2: { functionName: "lambda-function" },
};

/** LookupEvents Resources types, mapped to Minewatch's resource types. */
const AWS_RESOURCE_TYPES: Record<string, string> = {
  "AWS::EC2::Instance": "ec2-instance",
  "AWS::EC2::SpotInstanceRequest": "spot-request",
  "AWS::EC2::LaunchTemplate": "launch-template",
  "AWS::AutoScaling::AutoScalingGroup": "autoscaling-group",
  "AWS::ECS::Cluster": "ecs-cluster",
  "AWS::ECS::Task": "ecs-task",
  "AWS::ECS::Service": "ecs-service",
  "AWS::ECS::TaskDefinition": "ecs-task-definition",
  "AWS::Lambda::Function": "lambda-function",
  "AWS::SageMaker::NotebookInstance": "sagemaker-notebook",
  "AWS::CodeBuild::Project": "codebuild-project",
  "AWS::IAM::User": "iam-user",
  "AWS::IAM::AccessKey": "iam-access-key",
  "AWS::IAM::Policy": "iam-policy",
};

function extractResources(
  raw: CloudTrailSdkEvent,
  responseElements: Json | undefined,
  requestParameters: Json | undefined,
  eventName: string,
): CloudTrailEvent["resources"] {
  const found = new Map<string, { type?: string; id: string }>();
  const add = (type: string | undefined, id: string | undefined): void => {
    if (!id) return;
    const key = `${type ?? ""}|${id}`;
    if (!found.has(key)) found.set(key, type ? { type, id } : { id });
  };
  // Response first: on failed calls (DryRun, denied) there is no response and nothing was created.
  const visit = (value: Json, depth: number, hint?: string): void => {
    if (depth > 8) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1, hint);
      return;
    }
    if (typeof value === "string" && hint) {
      add(hint, value);
      return;
    }
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const type = RESPONSE_ID_KEYS[key];
      // Below an id key every string is an id (CreateFleet nests them: instanceIds.item).
      visit(child, depth + 1, type ?? hint);
    }
  };
  if (responseElements !== undefined && responseElements !== null) visit(responseElements, 0);
  if (eventName === "StartBuild" && isObject(responseElements) && isObject(responseElements.build)) {
    add("codebuild-build", str(responseElements.build.arn) ?? str(responseElements.build.id));
  }
  if (eventName === "CreateApp" && isObject(responseElements) && isObject(responseElements.app)) {
    add("amplify-app", str(responseElements.app.appArn) ?? str(responseElements.app.appId));
  }
  if (eventName === "CreateProject" && isObject(responseElements) && isObject(responseElements.project)) {
    add("codebuild-project", str(responseElements.project.arn) ?? str(responseElements.project.name));
  }
  const requestKeys = REQUEST_ID_KEYS[eventName];
  if (requestKeys && isObject(requestParameters)) {
    for (const [key, type] of Object.entries(requestKeys)) add(type, str(requestParameters[key]));
  }
  for (const resource of raw.Resources ?? []) {
    const type = resource.ResourceType
      ? (AWS_RESOURCE_TYPES[resource.ResourceType] ?? resource.ResourceType)
      : undefined;
    add(type, resource.ResourceName);
  }
  return [...found.values()];
}
