/**
 * MW-EC2-USERDATA-MINER: miner indicators (stratum URLs, pool domains, miner binaries and flags,
 * mining ports) in an instance's user data. Attackers bootstrap miners through user data, so it
 * is the most direct evidence at rest.
 *
 * User data can hold secrets: the message quotes only matched lines, redacted, never the whole text.
 */

import { instanceRef } from "./lib/instances.js";
import { findMinerIndicators, type IndicatorKind, type IndicatorMatch, strength } from "./lib/miner-indicators.js";
import type { Rule, Signal } from "./types.js";

/** Quoted lines per signal: enough to show the evidence, short enough for an email. */
const MAX_QUOTED_LINES = 3;

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** How telling a line is, by its most telling match: the pool URL line says the most. */
const KIND_WEIGHT: Record<IndicatorKind, number> = {
  "stratum-url": 5,
  "pool-domain": 4,
  "miner-flag": 3,
  "miner-binary": 2,
  "mining-port": 1,
};

/** The most telling matched lines (at most MAX_QUOTED_LINES), in line order, as `line N: "..."`. */
function quotedLines(matches: IndicatorMatch[]): string[] {
  const byLine = new Map<number, { line: string; weight: number }>();
  for (const match of matches) {
    const entry = byLine.get(match.lineNumber);
    const weight = Math.max(entry?.weight ?? 0, KIND_WEIGHT[match.kind]);
    byLine.set(match.lineNumber, { line: entry?.line ?? match.line, weight });
  }
  return [...byLine.entries()]
    .sort(([lineA, a], [lineB, b]) => b.weight - a.weight || lineA - lineB)
    .slice(0, MAX_QUOTED_LINES)
    .sort(([lineA], [lineB]) => lineA - lineB)
    .map(([lineNumber, { line }]) => `line ${lineNumber}: "${line}"`);
}

export const ec2UserdataMiner: Rule = {
  id: "MW-EC2-USERDATA-MINER",
  title: "Miner indicators in instance user data",
  severity: "critical",
  category: "indicator",
  rationale:
    "Attackers start miners through user data: download XMRig or a similar miner and point it at a pool (stratum+tcp://...:3333). " +
    "A pool URL, pool domain or miner binary with its flags in user data is near-certain evidence of mining.",
  recommendation:
    "Treat the instance as compromised: snapshot its volumes, then stop it (the user data runs again on every start of some AMIs). " +
    "Find the launching principal and access key in CloudTrail (RunInstances) and deactivate the key; check the same AMI, key pair and launch template in every region.",
  evaluate(snapshot) {
    const signals: Signal[] = [];
    for (const instance of snapshot.instances) {
      // Not applicable without user data: the collector decides which instances get it.
      if (!instance.userData) continue;
      const matches = findMinerIndicators(instance.userData.text);
      const level = strength(matches);
      if (level === "none") continue;
      const kinds = distinct(matches.map((m) => m.kind));
      const lines = quotedLines(matches);
      const lineNumbers = distinct(matches.map((m) => m.lineNumber));
      const more = lineNumbers.length - lines.length;
      const moreLines = more > 0 ? ` (and ${more} more matching line${more > 1 ? "s" : ""})` : "";
      const truncated = instance.userData.truncated
        ? ` The stored user data was truncated (${instance.userData.sizeBytes} bytes in all); lines past the cut were not checked.`
        : "";
      signals.push({
        ruleId: ec2UserdataMiner.id,
        resource: instanceRef(instance),
        severity: level === "strong" ? "critical" : "medium",
        message:
          `User data of ${instance.instanceId} (${instance.instanceType}, ${instance.region}) has ${level} miner indicators (${kinds.join(", ")}): ` +
          `${lines.join("; ")}${moreLines}.${truncated}`,
        details: {
          strength: level,
          indicatorKinds: kinds,
          indicators: distinct(matches.map((m) => m.indicator)),
          lineNumbers,
          userDataSha256: instance.userData.sha256,
          userDataTruncated: instance.userData.truncated,
        },
      });
    }
    return signals;
  },
};
