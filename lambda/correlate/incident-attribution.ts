/**
 * What correlation needs from CloudTrail attribution (lambda/correlate/attribution.ts): keys that
 * join resources launched by the same principal or access key, the attribution of a whole
 * incident, and what that principal left behind (IAM users and keys, launch templates) for the
 * containment steps. One file depends on attribution's shapes, so a change there is a change here.
 */
import type { CloudTrailEvent } from "../core/sections/cloudtrail.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { Attribution } from "../report/model.js";
import type { Signal } from "../rules/types.js";
import { attributeResources, isServiceInvoked, principalArnOf } from "./attribution.js";

/**
 * Join keys per resource id, from one pass over CloudTrail: the ARN of the principal that created or
 * changed the resource and the access key it used. Built once per audit: asking attribution for
 * each of 10,000 instances would scan the trail 10,000 times.
 */
export type JoinIndex = Map<string, string[]>;

export function buildJoinIndex(snapshot: AccountSnapshot): JoinIndex {
  const index: JoinIndex = new Map();
  for (const event of snapshot.cloudTrail?.events ?? []) {
    // A failed call created nothing; AWS services act for everyone, joining on them merges strangers.
    if (event.errorCode !== undefined || isServiceInvoked(event)) continue;
    const arn = principalArnOf(event.principal);
    if (arn?.includes(":role/aws-service-role/")) continue;
    const keys = [
      ...(arn ? [`principal:${arn}`] : []),
      ...(event.principal.accessKeyId ? [`key:${event.principal.accessKeyId}`] : []),
    ];
    if (keys.length === 0) continue;
    const ids = new Set<string>();
    for (const resource of event.resources) {
      ids.add(resource.id);
      // ARNs also name the resource by its last path segment (task ids, notebook names).
      if (resource.id.startsWith("arn:")) ids.add(resource.id.slice(resource.id.lastIndexOf("/") + 1));
    }
    if (event.request.instanceId) ids.add(event.request.instanceId);
    for (const id of ids) {
      const list = index.get(id) ?? [];
      for (const key of keys) if (!list.includes(key)) list.push(key);
      index.set(id, list);
    }
  }
  return index;
}

/** Join keys of one resource (by id, ARN, or the last segment of its ARN). */
export function resourceJoinKeys(id: string, index: JoinIndex): string[] {
  const direct = index.get(id) ?? [];
  if (!id.startsWith("arn:")) return direct;
  return [...direct, ...(index.get(id.slice(id.lastIndexOf("/") + 1)) ?? [])];
}

/** Who created the given resources, from CloudTrail, one entry per principal; empty when it does not say. */
export function attributionOf(resourceIds: readonly string[], snapshot: AccountSnapshot): Attribution[] {
  if (!snapshot.cloudTrail || resourceIds.length === 0) return [];
  return attributeResources([...resourceIds], snapshot).filter(
    (a) => a.principalType !== "AWSService" && !a.principalArn?.includes(":role/aws-service-role/"),
  );
}

/**
 * Join keys a signal carries itself: principal rules name the principal and its keys; GuardDuty and
 * relaunch signals name an access key or the instances they are about.
 */
export function signalJoinKeys(signal: Signal): string[] {
  const details = signal.details ?? {};
  const keys: string[] = [];
  if (signal.resource.type === "principal") keys.push(`principal-key:${signal.resource.id}`);
  const arn = details.principalArn;
  if (typeof arn === "string" && arn !== "") keys.push(`principal:${arn}`);
  for (const name of ["accessKeyIds", "accessKeyId"]) {
    const value = details[name];
    for (const key of Array.isArray(value) ? value : [value]) {
      if (typeof key === "string" && /^(AKIA|ASIA)[A-Z0-9]{8,}$/.test(key)) keys.push(`key:${key}`);
    }
  }
  return keys;
}

/** Instance ids a signal names in its details (relaunch machinery, GuardDuty findings). */
export function signalInstanceIds(signal: Signal): string[] {
  const details = signal.details ?? {};
  const ids: string[] = [];
  for (const name of ["instanceIds", "instanceId"]) {
    const value = details[name];
    for (const id of Array.isArray(value) ? value : [value]) {
      if (typeof id === "string" && /^i-[0-9a-f]{8,17}$/.test(id)) ids.push(id);
    }
  }
  return ids;
}

/** What the incident's principals created that outlives the instances: IAM users and keys, launch templates. */
export interface Persistence {
  /** IAM users the principal created (delete after evidence). */
  users: string[];
  /** Access keys the principal created, for other users or itself. */
  accessKeys: { userName?: string; accessKeyId: string }[];
  /** Launch templates the principal created (they carry the miner's user data). */
  launchTemplates: { id: string; region: string }[];
}

const EMPTY_PERSISTENCE: Persistence = { users: [], accessKeys: [], launchTemplates: [] };

/** Events by any of the attributed principals, read from the snapshot's CloudTrail section. */
export function persistenceOf(attribution: readonly Attribution[], snapshot: AccountSnapshot): Persistence {
  const events = snapshot.cloudTrail?.events ?? [];
  if (events.length === 0 || attribution.length === 0) return EMPTY_PERSISTENCE;
  const arns = new Set(attribution.flatMap((a) => [a.principalArn, a.sessionArn].filter(isString)));
  const keys = new Set(attribution.flatMap((a) => a.accessKeyIds));
  const byPrincipal = (e: CloudTrailEvent) =>
    !e.errorCode &&
    ((e.principal.arn !== undefined && arns.has(e.principal.arn)) ||
      (e.principal.roleArn !== undefined && arns.has(e.principal.roleArn)) ||
      (e.principal.accessKeyId !== undefined && keys.has(e.principal.accessKeyId)));
  const mine = events.filter(byPrincipal);

  const users = new Set<string>();
  const accessKeys = new Map<string, { userName?: string; accessKeyId: string }>();
  const templates = new Map<string, { id: string; region: string }>();
  for (const event of mine) {
    const request = event.request;
    if (event.eventName === "CreateUser") {
      const name = request.userName ?? event.resources.find((r) => r.type === "AWS::IAM::User")?.id;
      if (name) users.add(name);
    } else if (event.eventName === "CreateAccessKey") {
      const id = request.accessKeyId ?? event.resources.find((r) => r.type === "AWS::IAM::AccessKey")?.id;
      if (id && !keys.has(id)) {
        const userName = request.userName;
        accessKeys.set(id, { accessKeyId: id, ...(userName ? { userName } : {}) });
      }
    } else if (event.eventName === "CreateLaunchTemplate") {
      const id =
        request.launchTemplateId ??
        event.resources.find((r) => r.id.startsWith("lt-") || r.type === "AWS::EC2::LaunchTemplate")?.id;
      if (id) templates.set(`${event.region}/${id}`, { id, region: event.region });
    }
  }
  // Launch templates the collector saw with the principal as creator count too.
  for (const template of snapshot.relaunch?.launchTemplates ?? []) {
    if (template.createdBy && arns.has(template.createdBy)) {
      templates.set(`${template.region}/${template.id}`, { id: template.id, region: template.region });
    }
  }
  return {
    users: [...users].sort(),
    accessKeys: [...accessKeys.values()].sort((a, b) => a.accessKeyId.localeCompare(b.accessKeyId)),
    launchTemplates: [...templates.values()].sort((a, b) => `${a.region}/${a.id}`.localeCompare(`${b.region}/${b.id}`)),
  };
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
