/**
 * MW-PRINCIPAL-FIRST-LAUNCH: a principal that launched compute in the window with no compute launch
 * in the CloudTrail history before it. A leaked key's first act is usually to start miners; the
 * account's own pipelines launch every day and so have history.
 */

import { listSome } from "../core/text.js";
import {
  activePrincipals,
  describePrincipal,
  isIpAddress,
  isLongTermKey,
  isProgrammaticAgent,
  isServicePrincipal,
  launchHistoryKnownSince,
  type PrincipalActivity,
  principalActivity,
  principalDetails,
  principalRef,
} from "../correlate/attribution.js";
import { formatTime } from "./lib/instances.js";
import type { Rule, Severity, Signal } from "./types.js";

/** Resources a message names; a Fargate campaign starts dozens of tasks, and details keep every one. */
const MAX_NAMED_RESOURCES = 5;

/** Less history than this before the window cannot tell a first launch from a weekly job. */
export const MIN_HISTORY_HOURS = 24;

interface Judgement {
  severity: Severity;
  why: string;
}

function judge(activity: PrincipalActivity, historyHours: number): Judgement {
  if (historyHours < MIN_HISTORY_HOURS) {
    return {
      severity: "low",
      why: `only ${Math.max(0, Math.round(historyHours))} h of CloudTrail history before it was read, too little to call it a first launch`,
    };
  }
  const { principal } = activity;
  if (principal.type === "Root") {
    return { severity: "high", why: "the root user should never launch compute" };
  }
  const launchCalls = activity.launches;
  const longTerm = launchCalls.some((e) => isLongTermKey(e.principal.accessKeyId));
  const newIps = [...new Set(launchCalls.map((e) => e.sourceIpAddress).filter((ip) => isIpAddress(ip)))].filter(
    (ip) => ip !== undefined && !activity.sourceIpsBefore.includes(ip),
  );
  const scripted = launchCalls.some((e) => isProgrammaticAgent(e.userAgent));
  if (principal.type === "IAMUser" && longTerm && newIps.length > 0 && scripted) {
    return {
      severity: "high",
      why: `an IAM user's long-term key (AKIA) used by a script from ${newIps.join(", ")}, an address this user had not used before`,
    };
  }
  return { severity: "medium", why: "a principal that had not launched compute before" };
}

export const principalFirstLaunch: Rule = {
  id: "MW-PRINCIPAL-FIRST-LAUNCH",
  title: "First compute launch by a principal",
  severity: "high",
  category: "behaviour",
  rationale:
    "A stolen key's first act is usually to start miners; the account's own pipelines and people launch compute routinely and have a history of it. " +
    "High for the root user, or an IAM user's long-term key used by a script from a new address.",
  recommendation:
    "Ask the owner of the principal whether they launched it. If not, deactivate the access key (aws iam update-access-key --status Inactive) or revoke the role's sessions, " +
    "then review everything the principal did in CloudTrail: other regions, other services, IAM users and keys it created.",
  evaluate(snapshot) {
    if (!snapshot.cloudTrail) return [];
    const since = launchHistoryKnownSince(snapshot);
    const signals: Signal[] = [];
    for (const key of activePrincipals(snapshot)) {
      const activity = principalActivity(snapshot, key);
      if (!activity || activity.launches.length === 0 || isServicePrincipal(key, activity)) continue;
      if (activity.launchesBefore.length > 0) continue;
      const firstLaunchAt = Date.parse(activity.launches[0]?.eventTime ?? snapshot.window.start);
      const historyHours = since ? (firstLaunchAt - Date.parse(since)) / 3_600_000 : 0;
      const { severity, why } = judge(activity, historyHours);
      const who = describePrincipal(activity.principal);
      const firstLaunch = activity.launches[0];
      const resources = activity.launchedResources;
      const instances = resources.filter((r) => r.type === "ec2-instance");
      const others = resources.filter((r) => r.type !== "ec2-instance");
      const regions = [...new Set(activity.launches.map((e) => e.region))].sort();
      const calls = [...new Set(activity.launches.map((e) => e.eventName))].sort();
      const via = [
        activity.accessKeyIds.length > 0 ? `key ${activity.accessKeyIds.join(", ")}` : undefined,
        activity.sourceIps.length > 0 ? `from ${activity.sourceIps.join(", ")}` : undefined,
      ]
        .filter(Boolean)
        .join(" ");
      const base = `${who} launched compute for the first time (${calls.join(", ")}) in ${regions.join(", ")} at ${firstLaunch ? formatTime(firstLaunch.eventTime) : "an unknown time"}${via ? ` (${via})` : ""}; CloudTrail shows no earlier launch by it since ${since ? formatTime(since) : "the start of the history read"}: ${why}.`;
      const details = {
        ...principalDetails(activity),
        launchCalls: calls,
        launchRegions: regions,
        launchedResources: resources.map((r) => `${r.type}:${r.id}`),
        historyKnownSince: since ?? null,
        eventIds: activity.launches.map((e) => e.eventId),
      };
      for (const instance of instances) {
        signals.push({
          ruleId: principalFirstLaunch.id,
          resource: instance,
          severity,
          message: `${instance.id} (${instance.region}): ${base}`,
          details,
        });
      }
      if (others.length > 0 || instances.length === 0) {
        signals.push({
          ruleId: principalFirstLaunch.id,
          resource: principalRef(key),
          severity,
          message:
            others.length > 0
              ? `${base} It created ${listSome(
                  others.map((r) => `${r.type} ${r.id}`),
                  MAX_NAMED_RESOURCES,
                )}${others.length > MAX_NAMED_RESOURCES ? " (all in details.launchedResources)" : ""}.`
              : `${base} CloudTrail names no resource it created.`,
          details,
        });
      }
    }
    return signals;
  },
};
