/**
 * MW-AMPLIFY-MINER: miner indicators in an Amplify app's build specification. AMBERSQUID created
 * Amplify apps whose build step ran a miner on Amplify's build hosts.
 */
import { evidenceText, scriptVerdict } from "./lib/script-indicators.js";
import type { Rule, Signal } from "./types.js";

export const amplifyMiner: Rule = {
  id: "MW-AMPLIFY-MINER",
  title: "Miner in an Amplify app's build specification",
  severity: "critical",
  category: "indicator",
  rationale:
    "Amplify builds run the app's buildSpec on AWS build hosts. The AMBERSQUID campaign created Amplify apps whose build commands started a miner; " +
    "a pool URL or miner command line in a buildSpec has no business in a web app.",
  recommendation:
    "Stop the app's running jobs and delete the app (aws amplify delete-app) once evidence is kept. Find who called CreateApp in CloudTrail, deactivate that access key, " +
    "and look for the same repository or buildSpec in every region.",
  evaluate(snapshot) {
    const apps = snapshot.managedCompute?.amplifyApps ?? [];
    const signals: Signal[] = [];
    for (const app of apps) {
      const verdict = scriptVerdict(app.buildSpec);
      if (!verdict) continue;
      signals.push({
        ruleId: amplifyMiner.id,
        resource: { type: "amplify-app", id: app.appId, region: app.region },
        severity: verdict.strength === "strong" ? "critical" : "medium",
        message:
          `Build specification of Amplify app ${app.name} (${app.appId}, ${app.region}) has ${verdict.strength} miner indicators ` +
          `(${verdict.kinds.join(", ")}): ${evidenceText(verdict)}.${verdict.truncationNote}`,
        details: {
          appName: app.name,
          createdAt: app.createTime,
          ...(app.repository ? { repository: app.repository } : {}),
          strength: verdict.strength,
          indicatorKinds: verdict.kinds,
          indicators: verdict.indicators,
          lineNumbers: verdict.lineNumbers,
          buildSpecSha256: verdict.sha256,
        },
      });
    }
    return signals;
  },
};
