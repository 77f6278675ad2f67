/**
 * MW-WEB-MINER-SCRIPT: an in-browser miner in a page or script the account serves (the Coinhive
 * vector). A stolen key with S3 write access plants a miner in the company's own homepage: every
 * visitor's CPU mines for the attacker, and nothing in EC2, CloudWatch or Cost Explorer shows it.
 *
 * Critical for a known miner service, script, API call or proof-of-work WebAssembly module (also
 * when an obfuscated loader spells it out: the collector decodes atob, fromCharCode and escapes);
 * medium for an obfuscated loader or a mining-proxy WebSocket alone. A page that merely mentions
 * Coinhive in its text is not code and stays quiet.
 */
import type { WebObject } from "../core/sections/web-content.js";
import { objectUri } from "../core/sections/web-content.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import { formatTime } from "./lib/instances.js";
import { cdnPath, DECISIVE_KINDS, type WebMinerEvidence, webMinerEvidence } from "./lib/web-miners.js";
import type { Rule, Signal } from "./types.js";

/** Evidence lines quoted in one message. */
const MAX_QUOTED = 2;

const KIND_LABEL: Record<WebMinerEvidence["kind"], string> = {
  "known-miner": "known miner",
  "miner-api": "miner API call",
  "miner-wasm": "proof-of-work WebAssembly",
  "mining-socket": "WebSocket to a mining-proxy-shaped URL",
  "obfuscated-loader": "obfuscated loader",
};

/** Facts every web finding carries, for the responder and for web containment. */
export function webObjectDetails(
  snapshot: AccountSnapshot,
  object: WebObject,
): Record<string, string | string[] | number | null> {
  return {
    bucket: object.bucket,
    key: object.key,
    lastModified: object.lastModified,
    versionId: object.versionId ?? null,
    etag: object.etag ?? null,
    contentType: object.contentType ?? null,
    sizeBytes: object.size,
    distributionIds: object.distributionIds,
    cdnPaths: object.distributionIds.map((id) => cdnPath(snapshot, object, id) ?? `/${object.key}`),
  };
}

function where(evidence: WebMinerEvidence): string {
  if (evidence.source === "script-src") return `script src "${evidence.text}"`;
  if (evidence.source === "wasm") return `WebAssembly module "${evidence.text}"`;
  if (evidence.source === "websocket") return `WebSocket "${evidence.text}"`;
  const line = evidence.line ? `line ${evidence.line}` : "a line";
  return evidence.source === "decoded" ? `${line} decodes to "${evidence.text}"` : `${line}: "${evidence.text}"`;
}

export const webMinerScript: Rule = {
  id: "MW-WEB-MINER-SCRIPT",
  title: "In-browser miner in a hosted web page or script",
  severity: "critical",
  category: "indicator",
  rationale:
    "Cryptojacking began in the browser: Coinhive's script and its copies were planted in compromised sites so every visitor mined Monero for the attacker. " +
    "A key with S3 write access can plant one in the company's own site, served by S3 or CloudFront, where no compute metric or cost shows it.",
  recommendation:
    "Restore the previous version of the object, invalidate the CloudFront cache for its path, and rotate the credentials that could write to the bucket " +
    "(find the writer in S3 server access logs or CloudTrail data events). Check every other page of the site, and the site's build pipeline, for the same loader.",
  evaluate(snapshot) {
    const signals: Signal[] = [];
    for (const object of snapshot.webContent?.objects ?? []) {
      const evidence = webMinerEvidence(object);
      if (evidence.length === 0) continue;
      const decisive = evidence.filter((e) => DECISIVE_KINDS.has(e.kind));
      const shown = (decisive.length > 0 ? decisive : evidence).slice(0, MAX_QUOTED);
      const kinds = [...new Set(evidence.map((e) => e.kind))];
      const served =
        object.distributionIds.length > 0 ? ` (served by CloudFront ${object.distributionIds.join(", ")})` : "";
      signals.push({
        ruleId: webMinerScript.id,
        resource: { type: "s3-object", id: objectUri(object.bucket, object.key), region: object.region },
        severity: decisive.length > 0 ? "critical" : "medium",
        message:
          `${objectUri(object.bucket, object.key)}${served}, last modified ${formatTime(object.lastModified)}, ` +
          `${decisive.length > 0 ? "carries an in-browser miner" : "carries code shaped like a miner loader"} ` +
          `(${kinds.map((k) => KIND_LABEL[k]).join(", ")}): ${shown.map(where).join("; ")}.`,
        details: {
          ...webObjectDetails(snapshot, object),
          indicatorKinds: kinds,
          indicators: [...new Set(evidence.map((e) => e.indicator))],
          matchedLines: shown.map((e) => e.text),
        },
      });
    }
    return signals;
  },
};
