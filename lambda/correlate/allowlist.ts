/**
 * The allowlist: known, intended activity (ML training, CI runners, render farms) that must not page
 * anyone. Every matcher set on an entry must match (AND). A matched signal is not dropped: it goes on
 * to become a suppressed finding, counted and listed with the entry's reason, so a too-broad entry
 * is visible in every report. An entry past its expiry stops suppressing and is listed as expired.
 */
import type { AllowlistEntry, Config } from "../core/config.js";
import { instanceFamily } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import type { Signal } from "../rules/types.js";

export const COVERAGE_RULE_ID = "MW-COVERAGE-GAP";

export interface SuppressedSignal {
  signal: Signal;
  /** Index of the first matching, unexpired entry in config.allowlist. */
  allowlistIndex: number;
}

export interface ExpiredAllowlistEntry {
  allowlistIndex: number;
  reason: string;
  expires: string;
}

export interface AllowlistOutcome {
  active: Signal[];
  suppressed: SuppressedSignal[];
  expired: ExpiredAllowlistEntry[];
}

/**
 * When the entry stops suppressing. A date without a time (2026-06-30) is valid through the end of
 * that day in UTC: "expires 30 June" means the team still has the 30th.
 */
export function expiryTime(expires: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return Date.parse(`${expires}T23:59:59.999Z`);
  return Date.parse(expires);
}

export function isExpired(entry: AllowlistEntry, now: Date): boolean {
  return entry.expires !== undefined && now.getTime() > expiryTime(entry.expires);
}

/** `arn:aws:iam::1:role/ml-*` matches every ARN with that prefix; anything else matches exactly. */
export function principalMatches(pattern: string, principal: string | undefined): boolean {
  if (principal === undefined) return false;
  if (pattern.endsWith("*")) return principal.startsWith(pattern.slice(0, -1));
  return principal === pattern;
}

/**
 * Whether every matcher set on `entry` matches the signal. Matchers about an instance (principal,
 * tag, family, instance id) never match a signal that is not about an instance: an ML team's tag
 * cannot silence a region-wide cost anomaly.
 */
export function entryMatches(
  entry: AllowlistEntry,
  signal: Signal,
  instance: Instance | undefined,
  accountId: string,
): boolean {
  if (entry.rules && !entry.rules.includes(signal.ruleId)) return false;
  // A coverage gap says what was NOT read; only an entry naming the coverage rule may silence it.
  if (signal.ruleId === COVERAGE_RULE_ID && !entry.rules?.includes(COVERAGE_RULE_ID)) return false;
  if (entry.accountId !== undefined && entry.accountId !== accountId) return false;
  if (entry.region !== undefined && entry.region !== (instance?.region ?? signal.resource.region)) return false;
  if (entry.instanceId !== undefined && entry.instanceId !== instance?.instanceId) return false;
  if (entry.principal !== undefined && !principalMatches(entry.principal, instance?.iamInstanceProfileArn)) {
    return false;
  }
  if (entry.instanceFamily !== undefined) {
    const type = instance?.instanceType ?? detailString(signal, "instanceType");
    if (type === undefined || instanceFamily(type) !== entry.instanceFamily) return false;
  }
  if (entry.tag !== undefined) {
    const value = instance?.tags[entry.tag.key];
    if (value === undefined) return false;
    if (entry.tag.value !== undefined && value !== entry.tag.value) return false;
  }
  return true;
}

/** Splits signals into active and suppressed, and lists expired entries. `now` is the audit's reference time. */
export function applyAllowlist(
  signals: readonly Signal[],
  snapshot: Pick<AccountSnapshot, "accountId" | "instances">,
  config: Pick<Config, "allowlist">,
  now: Date,
): AllowlistOutcome {
  const expired: ExpiredAllowlistEntry[] = [];
  const live: { entry: AllowlistEntry; index: number }[] = [];
  config.allowlist.forEach((entry, index) => {
    if (isExpired(entry, now) && entry.expires !== undefined) {
      expired.push({ allowlistIndex: index, reason: entry.reason, expires: entry.expires });
    } else {
      live.push({ entry, index });
    }
  });

  const instances = new Map(snapshot.instances.map((i) => [i.instanceId, i]));
  const active: Signal[] = [];
  const suppressed: SuppressedSignal[] = [];
  for (const signal of signals) {
    const instance = signal.resource.type === "ec2-instance" ? instances.get(signal.resource.id) : undefined;
    const match =
      live.find(({ entry }) => entryMatches(entry, signal, instance, snapshot.accountId)) ??
      explainedSpend(signal, snapshot, live);
    if (match) suppressed.push({ signal, allowlistIndex: match.index });
    else active.push(signal);
  }
  return { active, suppressed, expired };
}

/**
 * New spend on an instance type is explained when every instance of that type in the snapshot is
 * allowlisted by one entry (the ML team's p4d fleet explains the new p4d spend). Otherwise the
 * spend stays active: some of it may come from instances nobody allowed, or ones already gone.
 */
function explainedSpend(
  signal: Signal,
  snapshot: Pick<AccountSnapshot, "accountId" | "instances">,
  live: readonly { entry: AllowlistEntry; index: number }[],
): { entry: AllowlistEntry; index: number } | undefined {
  if (signal.resource.type !== "instance-type-spend") return undefined;
  const ofType = snapshot.instances.filter((i) => i.instanceType === signal.resource.id);
  if (ofType.length === 0) return undefined;
  return live.find(({ entry }) =>
    ofType.every((instance) =>
      entryMatches(
        entry,
        { ...signal, resource: { type: "ec2-instance", id: instance.instanceId, region: instance.region } },
        instance,
        snapshot.accountId,
      ),
    ),
  );
}

function detailString(signal: Signal, key: string): string | undefined {
  const value = signal.details?.[key];
  return typeof value === "string" ? value : undefined;
}
