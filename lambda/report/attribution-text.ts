/** One line naming who launched a finding's resources, shared by the summary, the renderers and the email. */
import type { Attribution } from "./model.js";

/** Source IPs and user agents shown before "and N more". */
const MAX_SHOWN = 3;

/** "arn:aws:iam::1:user/ci (key AKIA..., from 185.220.101.7, Boto3/1.34) at 2026-03-10T04:12:00Z". */
export function launchedByText(a: Attribution): string {
  const who = a.principalArn ?? a.userName ?? a.principalType;
  const facts = [
    a.accessKeyIds.length > 0 ? `key ${a.accessKeyIds.join(", ")}` : undefined,
    a.sourceIps.length > 0
      ? `from ${a.sourceIps.slice(0, MAX_SHOWN).join(", ")}${a.sourceIps.length > MAX_SHOWN ? ` and ${a.sourceIps.length - MAX_SHOWN} more` : ""}`
      : undefined,
    // The first token names the tool and version (aws-cli/2.15.30, Boto3/1.34.2); the rest is noise here.
    a.userAgents.length > 0
      ? [...new Set(a.userAgents.map((ua) => ua.split(" ")[0] ?? ua))].slice(0, 2).join(", ")
      : undefined,
  ].filter(Boolean);
  return `${who}${facts.length > 0 ? ` (${facts.join(", ")})` : ""}${a.firstCallAt ? ` at ${a.firstCallAt}` : ""}`;
}
