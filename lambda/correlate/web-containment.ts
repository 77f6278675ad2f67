/**
 * Containment for a miner planted in a hosted web page (MW-WEB-MINER-SCRIPT,
 * MW-WEB-NEW-SCRIPT-SOURCE): the AWS CLI commands a responder copies, in order. Minewatch runs
 * none of them.
 *
 * Order: keep the planted object as evidence, put the previous version back, flush the CDN so
 * visitors stop receiving the miner, then cut off whoever wrote it. The writer is not in CloudTrail
 * event history (S3 object writes are data events): it is in a trail with S3 data events or in the
 * bucket's server access logs, so the steps say where to look.
 *
 * Wiring (lambda/correlate/containment.ts): incidents about `s3-object` resources are of kind
 * `other`; `containmentSteps` returns `webContainmentSteps(incident)` for them.
 */
import type { ContainmentStep } from "../report/model.js";
import type { Signal } from "../rules/types.js";
import type { Incident } from "./correlate.js";

/** Objects named one by one before the commands switch to a loop over a list. */
const MAX_OBJECTS = 10;

interface WebTarget {
  bucket: string;
  key: string;
  versionId?: string;
  distributionIds: string[];
  cdnPaths: string[];
}

/** Containment steps for an incident about hosted web objects; [] when it names none. */
export function webContainmentSteps(incident: Pick<Incident, "id" | "signals">): ContainmentStep[] {
  const targets = webTargets(incident.signals);
  if (targets.length === 0) return [];
  const shown = targets.slice(0, MAX_OBJECTS);
  const more =
    targets.length > shown.length ? ` (first ${shown.length} of ${targets.length} objects; repeat for the rest)` : "";

  const steps: ContainmentStep[] = [
    {
      description: `1. Keep evidence: download the object as it is now, with its version id, before changing anything${more}.`,
      command: shown
        .map(
          (t) =>
            `aws s3api get-object --bucket ${shellQuote(t.bucket)} --key ${shellQuote(t.key)}${t.versionId ? ` --version-id ${shellQuote(t.versionId)}` : ""} ${shellQuote(`evidence-${incident.id}-${basename(t.key)}`)}`,
        )
        .join("\n"),
    },
    {
      description:
        "2. Restore the previous version: list the object's versions, pick the one before the planted change (by LastModified), and copy it over the current one. " +
        "If the bucket is not versioned, redeploy the page from the site's repository or build output instead.",
      command: shown
        .flatMap((t) => [
          `aws s3api list-object-versions --bucket ${shellQuote(t.bucket)} --prefix ${shellQuote(t.key)} --max-items 5 --query "Versions[?Key=='${t.key.replaceAll("'", "")}'].[VersionId,LastModified,Size]" --output table`,
          `aws s3api copy-object --bucket ${shellQuote(t.bucket)} --key ${shellQuote(t.key)} --copy-source ${shellQuote(`${t.bucket}/${t.key}?versionId=<PREVIOUS_VERSION_ID>`)}`,
        ])
        .join("\n"),
    },
  ];

  const byDistribution = new Map<string, Set<string>>();
  for (const target of shown) {
    target.distributionIds.forEach((id, index) => {
      const paths = byDistribution.get(id) ?? new Set<string>();
      paths.add(target.cdnPaths[index] ?? `/${target.key}`);
      byDistribution.set(id, paths);
    });
  }
  steps.push(
    byDistribution.size > 0
      ? {
          description:
            "3. Invalidate the CloudFront cache for the restored paths, so visitors stop receiving the miner from edge caches (also invalidate / when the page is the default root object).",
          command: [...byDistribution]
            .sort((a, b) => a[0].localeCompare(b[0]))
            .map(
              ([id, paths]) =>
                `aws cloudfront create-invalidation --distribution-id ${id} --paths ${[...paths]
                  .sort()
                  .map((p) => `"${p}"`)
                  .join(" ")}`,
            )
            .join("\n"),
        }
      : {
          description:
            "3. No CloudFront distribution serving this bucket was found: browsers and any other CDN in front of the site may still cache the page; purge them too.",
          command: `aws cloudfront list-distributions --query "DistributionList.Items[].[Id,DomainName,Origins.Items[0].DomainName]" --output table`,
        },
  );

  const buckets = [...new Set(shown.map((t) => t.bucket))].sort();
  steps.push({
    description:
      "4. Find who wrote it and rotate that key: object writes are S3 data events, not in CloudTrail event history. Look in a trail with S3 data events (or the bucket's server access logs) for PutObject on the key around its last-modified time, " +
      "then deactivate that access key (deactivate, not delete) and review who else may write to the bucket (bucket policy, IAM policies, CI deploy credentials).",
    command: [
      ...buckets.map(
        (bucket) =>
          `aws cloudtrail lookup-events --lookup-attributes AttributeKey=ResourceName,AttributeValue=${shellQuote(bucket)} --max-results 50`,
      ),
      ...buckets.map(
        (bucket) => `aws s3api get-bucket-policy --bucket ${shellQuote(bucket)} --query Policy --output text`,
      ),
      "aws iam update-access-key --user-name <USER> --access-key-id <ACCESS_KEY_ID> --status Inactive",
    ].join("\n"),
  });
  return steps;
}

/** The web objects an incident's signals name, with what their rules recorded about them. */
function webTargets(signals: readonly Signal[]): WebTarget[] {
  const byUri = new Map<string, WebTarget>();
  for (const signal of signals) {
    if (signal.resource.type !== "s3-object" || byUri.has(signal.resource.id)) continue;
    const details = signal.details ?? {};
    const fromUri = /^s3:\/\/([^/]+)\/(.+)$/.exec(signal.resource.id);
    const bucket = typeof details.bucket === "string" ? details.bucket : fromUri?.[1];
    const key = typeof details.key === "string" ? details.key : fromUri?.[2];
    if (!bucket || !key) continue;
    byUri.set(signal.resource.id, {
      bucket,
      key,
      ...(typeof details.versionId === "string" ? { versionId: details.versionId } : {}),
      distributionIds: stringList(details.distributionIds),
      cdnPaths: stringList(details.cdnPaths),
    });
  }
  return [...byUri.values()].sort((a, b) => `${a.bucket}/${a.key}`.localeCompare(`${b.bucket}/${b.key}`));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function basename(key: string): string {
  return key.split("/").pop() || "object";
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9._\-/:=]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
