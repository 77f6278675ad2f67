/**
 * MW-WEB-NEW-SCRIPT-SOURCE: a page loads a script from a third-party host it did not load from in
 * the previous run. Planted miners (and skimmers) usually arrive as one new <script src>; comparing
 * with the last run finds them even without a known signature.
 *
 * Previous state is `webContent.previousScriptSources` (filled from the last stored snapshot, see
 * lambda/core/sections/web-content.ts); without it the rule does not apply. Pages new since then are
 * not compared (a new page has no "before"). Low alone: sites add analytics and widgets all the
 * time. Medium when the same page also carries miner-shaped code, so correlation ranks it higher.
 */
import { objectUri } from "../core/sections/web-content.js";
import { formatTime } from "./lib/instances.js";
import { hostOf, webMinerEvidence } from "./lib/web-miners.js";
import type { Rule, Signal } from "./types.js";
import { webObjectDetails } from "./web-miner-script.js";

/** Third-party hosts of a page's script sources: absolute URLs whose host is not the site's own. */
function thirdPartyHosts(sources: readonly string[], siteDomains: readonly string[]): Set<string> {
  const own = siteDomains.map((d) => d.toLowerCase());
  const hosts = new Set<string>();
  for (const src of sources) {
    const host = hostOf(src);
    if (host && !own.some((d) => host === d || host.endsWith(`.${d}`))) hosts.add(host);
  }
  return hosts;
}

export const webNewScriptSource: Rule = {
  id: "MW-WEB-NEW-SCRIPT-SOURCE",
  title: "Hosted page loads a script from a new third-party host",
  severity: "medium",
  category: "indicator",
  rationale:
    "An injected miner or skimmer is usually one new <script src> pointing at the attacker's host. " +
    "A third-party script host that was not on the page in the previous run is worth a look even without a known signature.",
  recommendation:
    "Check the page's change history (object versions, the site's repository and deploy log): if nobody on the team added this script, " +
    "restore the previous version, invalidate the CDN cache and rotate the credentials that can write to the bucket.",
  evaluate(snapshot) {
    const content = snapshot.webContent;
    const previous = content?.previousScriptSources;
    if (!content || !previous) return [];
    const signals: Signal[] = [];
    for (const object of content.objects) {
      const uri = objectUri(object.bucket, object.key);
      const before = previous.byObject[uri];
      if (!before) continue;
      const known = thirdPartyHosts(before, object.siteDomains);
      const added = [...thirdPartyHosts(object.scriptSources, object.siteDomains)].filter((h) => !known.has(h)).sort();
      if (added.length === 0) continue;
      const sources = object.scriptSources.filter((src) => added.includes(hostOf(src) ?? ""));
      const minerShaped = webMinerEvidence(object).length > 0;
      signals.push({
        ruleId: webNewScriptSource.id,
        resource: { type: "s3-object", id: uri, region: object.region },
        severity: minerShaped ? "medium" : "low",
        message:
          `${uri} (last modified ${formatTime(object.lastModified)}) loads scripts from ${added.length === 1 ? "a host" : "hosts"} ` +
          `not on the page at ${formatTime(previous.collectedAt)}: ${sources.map((s) => `"${s}"`).join(", ")}` +
          `${minerShaped ? "; the page also carries miner-shaped code" : ""}.`,
        details: {
          ...webObjectDetails(snapshot, object),
          newHosts: added,
          newScriptSources: sources,
          previousRunAt: previous.collectedAt,
          alongMinerShapedCode: minerShaped,
        },
      });
    }
    return signals;
  },
};
