/**
 * Near-misses for the report: what rules came close to, minus what the allowlist already explains,
 * each linked to the finding its resource is part of, closest first and capped so a 10,000-instance
 * account's report stays readable.
 */
import type { Config } from "../core/config.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { Finding, NearMissEntry } from "../report/model.js";
import type { NearMiss, Signal } from "../rules/types.js";
import { applyAllowlist } from "./allowlist.js";

/** Near-misses listed in a report; the rest are counted. */
export const MAX_NEAR_MISSES = 100;

export interface ReportedNearMisses {
  nearMisses: NearMissEntry[];
  nearMissesNotListed: number;
}

export function reportNearMisses(
  nearMisses: readonly NearMiss[],
  findings: readonly Finding[],
  snapshot: Pick<AccountSnapshot, "accountId" | "instances">,
  config: Pick<Config, "allowlist">,
  now: Date,
): ReportedNearMisses {
  // The allowlist matches near-misses exactly as it would the signal the rule did not raise: a
  // resource the team declared intended needs no "almost" either.
  const asSignals = new Map<Signal, NearMiss>(
    nearMisses.map((miss) => [
      { ruleId: miss.ruleId, resource: miss.resource, severity: "info", message: miss.message, details: miss.details },
      miss,
    ]),
  );
  const kept = applyAllowlist([...asSignals.keys()], snapshot, config, now).active.flatMap(
    (signal) => asSignals.get(signal) ?? [],
  );

  const findingOf = new Map<string, string>();
  for (const finding of findings) {
    for (const resource of finding.resources) findingOf.set(`${resource.type}:${resource.id}`, finding.id);
  }
  const entries = kept
    .map((miss): NearMissEntry => {
      const resource = `${miss.resource.type}:${miss.resource.id}`;
      const findingId = findingOf.get(resource);
      return {
        ruleId: miss.ruleId,
        resource,
        region: miss.resource.region,
        message: miss.message,
        closeness: miss.closeness,
        ...(findingId ? { findingId } : {}),
        ...(miss.details ? { details: miss.details } : {}),
      };
    })
    .sort(
      (a, b) => b.closeness - a.closeness || a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource),
    );
  return {
    nearMisses: entries.slice(0, MAX_NEAR_MISSES),
    nearMissesNotListed: Math.max(0, entries.length - MAX_NEAR_MISSES),
  };
}
