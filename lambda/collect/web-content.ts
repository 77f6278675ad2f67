/**
 * Collects the web content the account serves, for the in-browser miner rules (the Coinhive
 * vector): S3 buckets with website hosting, S3 origins of CloudFront distributions, Amplify Hosting
 * apps; then reads their HTML and JavaScript objects, newest first, within a budget.
 *
 * Reading objects is opt-in (config `webScan.enabled`): it needs s3:GetObject, which the deployed
 * role gets only on the buckets named at deploy time. Everything not read is coverage, by name: a
 * site left out by configuration (`not-requested`), a bucket the role may not read
 * (`access-denied`), objects past the budget or the size cap. Amplify Hosting is discovered but not
 * scanned: the Amplify API offers no download of what an app serves (ListArtifacts returns a
 * job's test artifacts, manual deployments are upload-only), so each app is listed as not scanned.
 */
import { type AmplifyClient, paginateListApps } from "@aws-sdk/client-amplify";
import { type CloudFrontClient, paginateListDistributions } from "@aws-sdk/client-cloudfront";
import {
  GetBucketLocationCommand,
  GetBucketWebsiteCommand,
  GetObjectCommand,
  paginateListBuckets,
  paginateListObjectsV2,
  type S3Client,
} from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import type { WebScan } from "../core/config.js";
import { objectUri, type WebContent, type WebObject, type WebSite } from "../core/sections/web-content.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import { GLOBAL_REGION } from "./clients.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import type { SectionCollector, SectionContext } from "./sections.js";
import { analyzeWebText, fileKindOf } from "./web-text.js";

/** Bucket-level discovery calls in flight (GetBucketLocation, GetBucketWebsite). */
const BUCKET_CONCURRENCY = 8;
/** Objects read at the same time. */
const OBJECT_CONCURRENCY = 8;
/** ListObjectsV2 pages read per bucket (1,000 keys each): a site is rarely larger. */
export const MAX_LIST_PAGES = 50;
/** Names quoted in one coverage message. */
const NAMES_IN_MESSAGE = 10;

interface BucketInfo {
  name: string;
  region: string;
  website: boolean;
}

interface Target {
  bucket: string;
  region: string;
  distributionIds: string[];
  siteDomains: string[];
}

interface Candidate {
  target: Target;
  key: string;
  size: number;
  lastModified: string;
}

export const webContentCollector: SectionCollector = {
  name: "web",
  async collect(context) {
    const { config, coverage } = context;
    if (!config.webScan.enabled) {
      coverage.skipped(
        "global",
        "s3",
        "web-content",
        "not-requested",
        "web content scan is off (webScan.enabled: false): S3 static sites, CloudFront origins and Amplify apps were not scanned for in-browser miners",
      );
      return {};
    }
    return { webContent: await collectWebContent(context) };
  },
};

export async function collectWebContent(context: SectionContext): Promise<WebContent> {
  const { clients, config, coverage, progress } = context;
  const scan = config.webScan;

  const [buckets, distributions, amplifySites] = await Promise.all([
    discoverBuckets(clients.s3(GLOBAL_REGION), (region) => clients.s3(region), coverage),
    discoverDistributions(clients.cloudFront(), coverage),
    discoverAmplify(context),
  ]);
  const sites = describeSites(buckets, distributions);

  // Which buckets to read: the configured list, or every bucket that serves a site.
  const siteBuckets = new Set(sites.flatMap((s) => (s.bucket ? [s.bucket] : [])));
  const wanted = scan.buckets ? new Set(scan.buckets) : siteBuckets;
  for (const site of sites) {
    if (site.bucket && !wanted.has(site.bucket)) {
      site.scanned = false;
      site.note = "not in webScan.buckets";
    }
  }
  const notRequested = [...siteBuckets].filter((b) => !wanted.has(b)).sort();
  if (notRequested.length > 0) {
    coverage.skipped(
      "global",
      "s3",
      "web-scan",
      "not-requested",
      `${notRequested.length} site bucket(s) not in webScan.buckets were not scanned for in-browser miners: ${names(notRequested)}`,
    );
  }

  const targets: Target[] = [];
  for (const bucket of [...wanted].sort()) {
    const known = buckets.get(bucket);
    const region = known?.region ?? (await bucketRegion(clients.s3(GLOBAL_REGION), bucket, coverage));
    if (!region) continue;
    if (!siteBuckets.has(bucket)) {
      sites.push({ kind: "configured-bucket", bucket, region, domains: [], scanned: true });
    }
    const serving = distributions.filter((d) => d.bucket === bucket);
    targets.push({
      bucket,
      region,
      distributionIds: unique(serving.map((d) => d.distributionId)),
      siteDomains: unique([
        bucket,
        `${bucket}.s3-website-${region}.amazonaws.com`,
        `${bucket}.s3-website.${region}.amazonaws.com`,
        `${bucket}.s3.${region}.amazonaws.com`,
        `${bucket}.s3.amazonaws.com`,
        ...serving.flatMap((d) => d.domains),
      ]),
    });
  }

  const listed = await Promise.all(
    targets.map((target) => listCandidates(clients.s3(target.region), target, scan, coverage)),
  );
  const unreadable = new Set(listed.filter((l) => l.failed).map((l) => l.target.bucket));
  for (const site of sites) {
    if (site.bucket && unreadable.has(site.bucket)) {
      site.scanned = false;
      site.note = "its objects could not be listed (see coverage)";
    }
  }

  // Newest first across every bucket: a planted miner is the latest change to a site.
  const candidates = listed
    .flatMap((l) => l.candidates)
    .sort((a, b) => b.lastModified.localeCompare(a.lastModified) || a.key.localeCompare(b.key));
  const chosen = candidates.slice(0, scan.objectBudget);
  const leftOver = candidates.slice(scan.objectBudget);
  for (const [bucket, left] of groupBy(leftOver, (c) => c.target.bucket)) {
    coverage.partial(
      left[0]?.target.region ?? "global",
      "s3",
      `web-scan:${bucket}`,
      "not-requested",
      `object budget of ${scan.objectBudget} per run reached: ${left.length} older HTML/JavaScript object(s) in ${bucket} not read (raise webScan.objectBudget), e.g. ${names(left.map((c) => c.key))}`,
    );
  }

  const objects = await readObjects(chosen, (region) => clients.s3(region), scan, coverage);
  for (const l of listed.filter((l) => !l.failed)) {
    const read = objects.filter((o) => o.bucket === l.target.bucket).length;
    coverage.ok(
      l.target.region,
      "s3",
      `web-scan:${l.target.bucket}`,
      `read ${read} of ${l.candidates.length} HTML/JavaScript object(s); ${l.otherObjects} other object(s) are not HTML or JavaScript`,
    );
  }
  progress(`Web content: ${sites.length} site(s), ${objects.length} object(s) read`);

  return {
    objectBudget: scan.objectBudget,
    objectsScanned: objects.length,
    sites: [...sites, ...amplifySites].sort(
      (a, b) =>
        (a.bucket ?? a.appId ?? "").localeCompare(b.bucket ?? b.appId ?? "") ||
        (a.distributionId ?? "").localeCompare(b.distributionId ?? ""),
    ),
    objects: objects.sort((a, b) => a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key)),
  };
}

// ---------------------------------------------------------------------------------------------
// Discovery

async function discoverBuckets(
  globalS3: S3Client,
  s3: (region: string) => S3Client,
  coverage: CoverageRecorder,
): Promise<Map<string, BucketInfo>> {
  const found: Array<{ name: string; region?: string }> = [];
  try {
    for await (const page of paginateListBuckets({ client: globalS3, pageSize: 1000 }, {})) {
      for (const bucket of page.Buckets ?? []) {
        if (bucket.Name)
          found.push({ name: bucket.Name, ...(bucket.BucketRegion ? { region: bucket.BucketRegion } : {}) });
      }
    }
    coverage.ok("global", "s3", "ListBuckets");
  } catch (error) {
    coverage.failed("global", "s3", "ListBuckets", error);
    return new Map();
  }

  const limit = pLimit(BUCKET_CONCURRENCY);
  const websiteErrors: Array<{ bucket: string; error: unknown }> = [];
  const infos = await Promise.all(
    found.map((bucket) =>
      limit(async (): Promise<BucketInfo | undefined> => {
        const region = bucket.region ?? (await bucketRegion(globalS3, bucket.name, coverage));
        if (!region) return undefined;
        try {
          await s3(region).send(new GetBucketWebsiteCommand({ Bucket: bucket.name }));
          return { name: bucket.name, region, website: true };
        } catch (error) {
          if (errorName(error) !== "NoSuchWebsiteConfiguration") websiteErrors.push({ bucket: bucket.name, error });
          return { name: bucket.name, region, website: false };
        }
      }),
    ),
  );
  if (websiteErrors.length > 0) {
    const { reason } = classifyAwsError(websiteErrors[0]?.error);
    coverage.partial(
      "global",
      "s3",
      "GetBucketWebsite",
      reason,
      `website configuration of ${websiteErrors.length} bucket(s) not read, so sites there may be missing: ${names(websiteErrors.map((e) => e.bucket).sort())}`,
    );
  } else if (found.length > 0) {
    coverage.ok("global", "s3", "GetBucketWebsite");
  }
  return new Map(infos.flatMap((info) => (info ? [[info.name, info] as const] : [])));
}

/** The bucket's region (GetBucketLocation answers from us-east-1 for every bucket). */
async function bucketRegion(client: S3Client, bucket: string, coverage: CoverageRecorder): Promise<string | undefined> {
  try {
    const answer = await client.send(new GetBucketLocationCommand({ Bucket: bucket }));
    const constraint = answer.LocationConstraint as string | undefined;
    // No constraint means us-east-1; "EU" is the legacy name of eu-west-1.
    if (!constraint) return "us-east-1";
    return constraint === "EU" ? "eu-west-1" : constraint;
  } catch (error) {
    coverage.failed("global", "s3", `GetBucketLocation:${bucket}`, error);
    return undefined;
  }
}

interface DistributionOrigin {
  distributionId: string;
  bucket: string;
  region?: string;
  originPath?: string;
  domains: string[];
}

/** `<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3.amazonaws.com`, `<bucket>.s3-<region>...` (legacy). */
const S3_REST_ORIGIN = /^(.+)\.s3(?:[.-]([a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com(?:\.cn)?$/;
/** `<bucket>.s3-website-<region>.amazonaws.com` and `<bucket>.s3-website.<region>.amazonaws.com`. */
const S3_WEBSITE_ORIGIN = /^(.+)\.s3-website[.-]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;

/** The S3 bucket (and region) behind a CloudFront origin domain, or undefined for other origins. */
export function parseS3Origin(domain: string): { bucket: string; region?: string } | undefined {
  const lower = domain.toLowerCase();
  const website = S3_WEBSITE_ORIGIN.exec(lower);
  if (website?.[1]) return { bucket: website[1], ...(website[2] ? { region: website[2] } : {}) };
  const rest = S3_REST_ORIGIN.exec(lower);
  if (rest?.[1]) return { bucket: rest[1], ...(rest[2] ? { region: rest[2] } : {}) };
  return undefined;
}

async function discoverDistributions(
  client: CloudFrontClient,
  coverage: CoverageRecorder,
): Promise<DistributionOrigin[]> {
  const origins: DistributionOrigin[] = [];
  try {
    for await (const page of paginateListDistributions({ client, pageSize: 100 }, {})) {
      for (const distribution of page.DistributionList?.Items ?? []) {
        if (!distribution.Id) continue;
        const domains = unique([
          ...(distribution.DomainName ? [distribution.DomainName] : []),
          ...(distribution.Aliases?.Items ?? []),
        ]);
        for (const origin of distribution.Origins?.Items ?? []) {
          const parsed = origin.DomainName ? parseS3Origin(origin.DomainName) : undefined;
          if (!parsed) continue;
          origins.push({
            distributionId: distribution.Id,
            ...parsed,
            ...(origin.OriginPath ? { originPath: origin.OriginPath } : {}),
            domains,
          });
        }
      }
    }
    coverage.ok("global", "cloudfront", "ListDistributions");
  } catch (error) {
    coverage.failed("global", "cloudfront", "ListDistributions", error);
  }
  return origins;
}

async function discoverAmplify(context: SectionContext): Promise<WebSite[]> {
  const limit = pLimit(BUCKET_CONCURRENCY);
  const perRegion = await Promise.all(
    context.regions.map((region) =>
      limit(() => amplifyApps(context.clients.amplify(region), region, context.coverage)),
    ),
  );
  return perRegion.flat();
}

async function amplifyApps(client: AmplifyClient, region: string, coverage: CoverageRecorder): Promise<WebSite[]> {
  const sites: WebSite[] = [];
  try {
    for await (const page of paginateListApps({ client, pageSize: 100 }, {})) {
      for (const app of page.apps ?? []) {
        sites.push({
          kind: "amplify-app",
          region,
          appId: app.appId,
          appName: app.name,
          domains: app.defaultDomain ? [app.defaultDomain] : [],
          scanned: false,
          note: "Amplify Hosting content is not scanned: the Amplify API offers no download of deployed artifacts",
        });
      }
    }
  } catch (error) {
    coverage.failed(region, "amplify", "ListApps", error);
    return [];
  }
  if (sites.length === 0) {
    coverage.ok(region, "amplify", "ListApps");
  } else {
    coverage.skipped(
      region,
      "amplify",
      "hosted-content",
      "not-requested",
      `${sites.length} Amplify Hosting app(s) not scanned for in-browser miners (${names(sites.map((s) => `${s.appName ?? s.appId} ${s.domains[0] ?? ""}`.trim()))}): the Amplify API offers no download of what an app serves; scan the app's repository or build output instead`,
    );
  }
  return sites;
}

function describeSites(buckets: Map<string, BucketInfo>, distributions: DistributionOrigin[]): WebSite[] {
  const sites: WebSite[] = [];
  for (const bucket of [...buckets.values()].filter((b) => b.website)) {
    sites.push({
      kind: "s3-website",
      bucket: bucket.name,
      region: bucket.region,
      domains: [`${bucket.name}.s3-website-${bucket.region}.amazonaws.com`],
      scanned: true,
    });
  }
  for (const origin of distributions) {
    const region = buckets.get(origin.bucket)?.region ?? origin.region ?? "global";
    sites.push({
      kind: "cloudfront-origin",
      bucket: origin.bucket,
      region,
      distributionId: origin.distributionId,
      domains: origin.domains,
      ...(origin.originPath ? { originPath: origin.originPath } : {}),
      scanned: true,
    });
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// Listing and reading objects

async function listCandidates(
  client: S3Client,
  target: Target,
  scan: WebScan,
  coverage: CoverageRecorder,
): Promise<{ target: Target; candidates: Candidate[]; otherObjects: number; failed: boolean }> {
  const candidates: Candidate[] = [];
  const oversize: Array<{ key: string; size: number }> = [];
  let otherObjects = 0;
  let pages = 0;
  let truncated = false;
  try {
    for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: target.bucket })) {
      pages++;
      for (const object of page.Contents ?? []) {
        if (!object.Key || !fileKindOf(object.Key)) {
          otherObjects++;
          continue;
        }
        const size = object.Size ?? 0;
        if (size > scan.maxObjectBytes) {
          oversize.push({ key: object.Key, size });
          continue;
        }
        candidates.push({
          target,
          key: object.Key,
          size,
          lastModified: (object.LastModified ?? new Date(0)).toISOString(),
        });
      }
      if (pages >= MAX_LIST_PAGES && page.IsTruncated) {
        truncated = true;
        break;
      }
    }
  } catch (error) {
    coverage.failed(target.region, "s3", `ListObjectsV2:${target.bucket}`, error);
    return { target, candidates: [], otherObjects, failed: true };
  }
  if (oversize.length > 0) {
    coverage.partial(
      target.region,
      "s3",
      `web-scan:${target.bucket}`,
      "not-requested",
      `${oversize.length} HTML/JavaScript object(s) in ${target.bucket} larger than ${megabytes(scan.maxObjectBytes)} not read (raise webScan.maxObjectBytes): ${names(oversize.map((o) => `${o.key} (${megabytes(o.size)})`))}`,
    );
  }
  if (truncated) {
    coverage.partial(
      target.region,
      "s3",
      `web-scan:${target.bucket}`,
      "not-requested",
      `listing of ${target.bucket} stopped after ${MAX_LIST_PAGES * 1000} keys; objects past them were not considered`,
    );
  }
  return { target, candidates, otherObjects, failed: false };
}

async function readObjects(
  chosen: Candidate[],
  s3: (region: string) => S3Client,
  scan: WebScan,
  coverage: CoverageRecorder,
): Promise<WebObject[]> {
  const limit = pLimit(OBJECT_CONCURRENCY);
  const deniedBuckets = new Set<string>();
  const failures = new Map<string, Array<{ key: string; error: unknown }>>();
  const results = await Promise.all(
    chosen.map((candidate) =>
      limit(async (): Promise<WebObject | undefined> => {
        const { target, key } = candidate;
        // One AccessDenied says the role may not read the bucket: do not ask again for every object.
        if (deniedBuckets.has(target.bucket)) return undefined;
        try {
          const answer = await s3(target.region).send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
          const kind = fileKindOf(key, answer.ContentType);
          if (!kind || (answer.ContentLength ?? 0) > scan.maxObjectBytes) return undefined;
          const text = await bodyText(answer.Body);
          return {
            bucket: target.bucket,
            key,
            region: target.region,
            ...(answer.ContentType ? { contentType: answer.ContentType } : {}),
            size: answer.ContentLength ?? candidate.size,
            lastModified: answer.LastModified?.toISOString() ?? candidate.lastModified,
            ...(answer.VersionId && answer.VersionId !== "null" ? { versionId: answer.VersionId } : {}),
            ...(answer.ETag ? { etag: answer.ETag } : {}),
            distributionIds: target.distributionIds,
            siteDomains: target.siteDomains,
            ...analyzeWebText(text, kind),
          };
        } catch (error) {
          if (errorName(error) === "AccessDenied" || errorName(error) === "AccessDeniedException") {
            deniedBuckets.add(target.bucket);
          }
          const list = failures.get(target.bucket) ?? [];
          list.push({ key, error });
          failures.set(target.bucket, list);
          return undefined;
        }
      }),
    ),
  );
  for (const [bucket, list] of [...failures].sort((a, b) => a[0].localeCompare(b[0]))) {
    const region = chosen.find((c) => c.target.bucket === bucket)?.target.region ?? "global";
    const notRead =
      chosen.filter((c) => c.target.bucket === bucket).length - results.filter((r) => r?.bucket === bucket).length;
    const reason = coverage.failed(region, "s3", `GetObject:${bucket}`, list[0]?.error);
    coverage.partial(
      region,
      "s3",
      `web-scan:${bucket}`,
      reason,
      `${notRead} HTML/JavaScript object(s) in ${bucket} not read (${reason}), e.g. ${names(list.map((f) => f.key))}`,
    );
  }
  return results.flatMap((r) => (r ? [r] : []));
}

/** The body as text, whatever the SDK (or a test) handed back. */
async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  const withTransform = body as { transformToString?: (encoding?: string) => Promise<string> };
  if (typeof withTransform.transformToString === "function") return withTransform.transformToString("utf-8");
  throw new Error("GetObject returned a body of an unknown kind");
}

// ---------------------------------------------------------------------------------------------
// Previous state

export type ScriptSources = NonNullable<WebContent["previousScriptSources"]>;

/**
 * The `<script src>` list of every HTML page a snapshot scanned, keyed by s3://bucket/key: what the
 * next run compares with. Undefined when the snapshot scanned no web content.
 */
export function scriptSourcesOf(snapshot: AccountSnapshot): ScriptSources | undefined {
  if (!snapshot.webContent) return undefined;
  const byObject: Record<string, string[]> = {};
  for (const object of snapshot.webContent.objects) {
    if (fileKindOf(object.key, object.contentType) === "html") {
      byObject[objectUri(object.bucket, object.key)] = object.scriptSources;
    }
  }
  return { collectedAt: snapshot.collectedAt, byObject };
}

/** `current` with the previous run's script sources, so MW-WEB-NEW-SCRIPT-SOURCE can compare. */
export function withPreviousScriptSources(
  current: AccountSnapshot,
  previous: ScriptSources | undefined,
): AccountSnapshot {
  if (!previous || !current.webContent) return current;
  return { ...current, webContent: { ...current.webContent, previousScriptSources: previous } };
}

/**
 * Fills `webContent.previousScriptSources` of `current` from an earlier snapshot (the CLI's saved
 * one). The deployed handler keeps only the sources between runs (lambda/state/script-sources.ts).
 */
export function carryScriptSources(previous: AccountSnapshot | undefined, current: AccountSnapshot): AccountSnapshot {
  return withPreviousScriptSources(current, previous ? scriptSourcesOf(previous) : undefined);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function errorName(error: unknown): string {
  return error && typeof error === "object" && "name" in error && typeof error.name === "string" ? error.name : "";
}

function names(values: readonly string[]): string {
  const shown = values.slice(0, NAMES_IN_MESSAGE).join(", ");
  return values.length > NAMES_IN_MESSAGE ? `${shown} and ${values.length - NAMES_IN_MESSAGE} more` : shown;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(keyOf(item)) ?? [];
    list.push(item);
    map.set(keyOf(item), list);
  }
  return map;
}
