/**
 * MW-IAM-PERSISTENCE: IAM users, access keys, console passwords or policy attachments created by a
 * principal that also launched compute in the window. Mining campaigns create a spare user and key
 * (often with AdministratorAccess) so that revoking the first key does not end them.
 */
import type { CloudTrailEvent } from "../core/sections/cloudtrail.js";
import {
  activePrincipals,
  describePrincipal,
  isServicePrincipal,
  principalActivity,
  principalDetails,
  principalRef,
} from "../correlate/attribution.js";
import { formatTime } from "./lib/instances.js";
import type { Rule, Signal } from "./types.js";

/** Policies that hand over the account. */
const ADMIN_POLICY = /(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

function describeChange(event: CloudTrailEvent): string {
  const user = event.request.userName;
  switch (event.eventName) {
    case "CreateUser":
      return `created IAM user ${user ?? "(unnamed)"}`;
    case "CreateAccessKey":
      return `created access key ${event.request.accessKeyId ?? "(id not recorded)"}${user ? ` for ${user}` : ""}`;
    case "CreateLoginProfile":
      return `gave ${user ?? "a user"} a console password`;
    case "AttachUserPolicy":
      return `attached ${event.request.policyArn?.split("/").at(-1) ?? "a policy"}${user ? ` to ${user}` : ""}`;
    default:
      return event.eventName;
  }
}

export const iamPersistence: Rule = {
  id: "MW-IAM-PERSISTENCE",
  title: "IAM users or keys created by a principal that launched compute",
  severity: "high",
  category: "behaviour",
  rationale:
    "Mining campaigns create a spare IAM user and access key, often with AdministratorAccess, so that revoking the first key does not end them. " +
    "From a principal that also launched compute in the window it is high; IAM changes alone are routine administration and low.",
  recommendation:
    "Deactivate the created access keys and console passwords, detach the policies and delete the users once evidence is kept; " +
    "contain the launching principal first, or it will create new ones.",
  evaluate(snapshot) {
    if (!snapshot.cloudTrail) return [];
    const signals: Signal[] = [];
    for (const key of activePrincipals(snapshot)) {
      const activity = principalActivity(snapshot, key);
      if (!activity || activity.iamPersistence.length === 0 || isServicePrincipal(key, activity)) continue;
      const changes = activity.iamPersistence;
      const launched = activity.launches.length > 0;
      const admin = changes.filter(
        (e) => e.eventName === "AttachUserPolicy" && ADMIN_POLICY.test(e.request.policyArn ?? ""),
      );
      const who = describePrincipal(activity.principal);
      const what = changes.map(describeChange).join("; ");
      const first = changes[0];
      const launchText = launched
        ? ` It also launched compute (${[...new Set(activity.launches.map((e) => e.eventName))].sort().join(", ")} in ${activity.regions.filter((r) => activity.launches.some((e) => e.region === r)).join(", ")}): a way back in after its key is revoked.`
        : "";
      signals.push({
        ruleId: iamPersistence.id,
        resource: principalRef(key),
        severity: launched ? "high" : "low",
        message: `${who} ${what}${first ? ` (from ${formatTime(first.eventTime)})` : ""}.${admin.length > 0 ? " An administrator policy was attached." : ""}${launchText}`,
        details: {
          ...principalDetails(activity),
          createdUsers: uniq(changes.filter((e) => e.eventName === "CreateUser").map((e) => e.request.userName)),
          createdAccessKeyIds: uniq(
            changes.filter((e) => e.eventName === "CreateAccessKey").map((e) => e.request.accessKeyId),
          ),
          loginProfilesFor: uniq(
            changes.filter((e) => e.eventName === "CreateLoginProfile").map((e) => e.request.userName),
          ),
          attachedPolicies: uniq(
            changes.filter((e) => e.eventName === "AttachUserPolicy").map((e) => e.request.policyArn),
          ),
          adminPolicyAttached: admin.length > 0,
          launchedCompute: launched,
          eventIds: changes.map((e) => e.eventId),
        },
      });
    }
    return signals;
  },
};

function uniq(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))].sort();
}
