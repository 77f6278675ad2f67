import { AmplifyClient, ListAppsCommand } from "@aws-sdk/client-amplify";
import { CloudFrontClient, ListDistributionsCommand } from "@aws-sdk/client-cloudfront";
import {
  GetBucketLocationCommand,
  GetBucketWebsiteCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import type { SectionContext } from "../../lambda/collect/sections.js";
import { carryScriptSources, parseS3Origin, webContentCollector } from "../../lambda/collect/web-content.js";
import { analyzeWebText, fileKindOf, MAX_EXCERPTS } from "../../lambda/collect/web-text.js";
import { type ConfigInput, ConfigSchema } from "../../lambda/core/config.js";
import type { WebContent } from "../../lambda/core/sections/web-content.js";
import { fakeClientFactory } from "../support/fake-clients.js";
import { buildSnapshot } from "../support/snapshot-builder.js";

const s3 = mockClient(S3Client);
const cloudFront = mockClient(CloudFrontClient);
const amplify = mockClient(AmplifyClient);

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

function body(text: string) {
  return { transformToString: async () => text } as never;
}

function context(webScan: ConfigInput["webScan"], regions = ["eu-west-1"]): SectionContext {
  const s3Client = new S3Client({ region: "us-east-1" });
  return {
    clients: fakeClientFactory({
      s3: () => s3Client,
      cloudFront: () => new CloudFrontClient({ region: "us-east-1" }),
      amplify: () => new AmplifyClient({ region: "eu-west-1" }),
    }),
    config: ConfigSchema.parse({ webScan }),
    window: { start: new Date("2026-03-09T06:00:00Z"), end: new Date("2026-03-10T06:00:00Z") },
    accountId: "123456789012",
    regions,
    instances: [],
    coverage: new CoverageRecorder(),
    progress: () => {},
  };
}

async function collect(ctx: SectionContext): Promise<WebContent> {
  const result = await webContentCollector.collect(ctx);
  if (!result.webContent) throw new Error("no webContent collected");
  return result.webContent;
}

const PAGE = `<!doctype html><html><head>
<script src="/js/app.js"></script>
<script src="https://www.googletagmanager.com/gtag/js?id=G-12345"></script>
</head><body><h1>Shop</h1></body></html>`;

beforeEach(() => {
  s3.reset();
  cloudFront.reset();
  amplify.reset();
  s3.on(ListBucketsCommand).resolves({
    Buckets: [
      { Name: "www.example.com", BucketRegion: "eu-west-1" },
      { Name: "data-lake-raw", BucketRegion: "eu-west-1" },
    ],
  });
  s3.on(GetBucketWebsiteCommand, { Bucket: "www.example.com" }).resolves({ IndexDocument: { Suffix: "index.html" } });
  s3.on(GetBucketWebsiteCommand, { Bucket: "data-lake-raw" }).rejects(awsError("NoSuchWebsiteConfiguration"));
  cloudFront.on(ListDistributionsCommand).resolves({ DistributionList: { Items: [], IsTruncated: false } as never });
  amplify.on(ListAppsCommand).resolves({ apps: [] });
});

describe("web content collector", () => {
  it("reads nothing without the opt-in and says so in coverage", async () => {
    const ctx = context({});
    expect(await webContentCollector.collect(ctx)).toEqual({});
    expect(s3.calls()).toHaveLength(0);
    expect(ctx.coverage.entries).toEqual([
      expect.objectContaining({ status: "skipped", reason: "not-requested", api: "web-content" }),
    ]);
  });

  it("finds website buckets and CloudFront S3 origins, and reads only HTML and JavaScript", async () => {
    cloudFront
      .on(ListDistributionsCommand)
      .resolvesOnce({
        DistributionList: {
          IsTruncated: true,
          NextMarker: "page-2",
          Items: [
            { Id: "E1OTHER", DomainName: "d0.cloudfront.net", Origins: { Items: [{ DomainName: "api.example.com" }] } },
          ],
        } as never,
      })
      .resolvesOnce({
        DistributionList: {
          IsTruncated: false,
          Items: [
            {
              Id: "E2SHOP",
              DomainName: "d111111abcdef8.cloudfront.net",
              Aliases: { Items: ["shop.example.com"] },
              Origins: { Items: [{ DomainName: "www.example.com.s3.eu-west-1.amazonaws.com", OriginPath: "" }] },
            },
          ],
        } as never,
      });
    s3.on(ListObjectsV2Command).resolves({
      IsTruncated: false,
      Contents: [
        { Key: "index.html", Size: 900, LastModified: new Date("2026-03-09T20:00:00Z") },
        { Key: "js/app.js", Size: 300, LastModified: new Date("2026-02-01T00:00:00Z") },
        { Key: "img/logo.png", Size: 4000, LastModified: new Date("2026-03-09T21:00:00Z") },
        { Key: "css/site.css", Size: 4000, LastModified: new Date("2026-03-09T21:00:00Z") },
        { Key: "wasm/resize.wasm", Size: 4000, LastModified: new Date("2026-03-09T21:00:00Z") },
      ],
    });
    s3.on(GetObjectCommand, { Key: "index.html" }).resolves({
      Body: body(PAGE),
      ContentType: "text/html",
      ContentLength: 900,
      VersionId: "v2",
      ETag: '"abc"',
      LastModified: new Date("2026-03-09T20:00:00Z"),
    });
    s3.on(GetObjectCommand, { Key: "js/app.js" }).resolves({
      Body: body("console.log('hi')"),
      ContentType: "application/javascript",
      ContentLength: 300,
    });
    const ctx = context({ enabled: true });
    const content = await collect(ctx);

    expect(cloudFront.commandCalls(ListDistributionsCommand)).toHaveLength(2);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(
      expect.arrayContaining(["index.html", "js/app.js"]),
    );
    expect(s3).not.toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: "data-lake-raw" });
    const index = content.objects.find((o) => o.key === "index.html");
    expect(index).toMatchObject({
      bucket: "www.example.com",
      region: "eu-west-1",
      versionId: "v2",
      distributionIds: ["E2SHOP"],
      scriptSources: ["/js/app.js", "https://www.googletagmanager.com/gtag/js?id=G-12345"],
    });
    expect(index?.siteDomains).toEqual(expect.arrayContaining(["shop.example.com", "d111111abcdef8.cloudfront.net"]));
    expect(content.sites.map((s) => s.kind).sort()).toEqual(["cloudfront-origin", "s3-website"]);
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({
        status: "ok",
        api: "web-scan:www.example.com",
        message: expect.stringContaining("3 other"),
      }),
    );
  });

  it("pages through many objects and reads the newest within the object budget", async () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, k) => ({
        Key: `posts/p${from + k}.html`,
        Size: 500,
        LastModified: day(from + k),
      }));
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "t1", Contents: page(0, 1000) })
      .resolvesOnce({ IsTruncated: true, NextContinuationToken: "t2", Contents: page(1000, 1000) })
      .resolvesOnce({ IsTruncated: false, Contents: page(2000, 500) });
    s3.on(GetObjectCommand).resolves({ Body: body("<p>post</p>"), ContentType: "text/html", ContentLength: 500 });
    const ctx = context({ enabled: true, objectBudget: 25 });
    const content = await collect(ctx);

    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 3);
    expect(content.objectsScanned).toBe(25);
    const keys = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    // The 25 newest: p2475 .. p2499.
    expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, k) => `posts/p${2475 + k}.html`).sort());
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({
        status: "partial",
        reason: "not-requested",
        api: "web-scan:www.example.com",
        message: expect.stringContaining("2475 older HTML/JavaScript object(s)"),
      }),
    );
  });

  it("records AccessDenied on a bucket as coverage and stops asking for its objects", async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: Array.from({ length: 30 }, (_, k) => ({
        Key: `p${k}.html`,
        Size: 10,
        LastModified: new Date(2026, 0, k + 1),
      })),
    });
    s3.on(GetObjectCommand).rejects(awsError("AccessDenied", "not authorized to perform s3:GetObject"));
    const ctx = context({ enabled: true });
    const content = await collect(ctx);

    expect(content.objects).toEqual([]);
    // Concurrency lets a few requests start before the first denial; never all thirty.
    expect(s3.commandCalls(GetObjectCommand).length).toBeLessThanOrEqual(8);
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({ status: "failed", reason: "access-denied", api: "GetObject:www.example.com" }),
    );
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({
        status: "partial",
        reason: "access-denied",
        message: expect.stringContaining("30 HTML"),
      }),
    );
  });

  it("lists a denied bucket listing as a failed site, and site buckets left out by config as not requested", async () => {
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: "www.example.com", BucketRegion: "eu-west-1" },
        { Name: "campaign.example.com", BucketRegion: "us-east-1" },
      ],
    });
    s3.on(GetBucketWebsiteCommand).resolves({});
    s3.on(ListObjectsV2Command).rejects(awsError("AccessDenied"));
    const ctx = context({ enabled: true, buckets: ["www.example.com"] });
    const content = await collect(ctx);

    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({ status: "failed", reason: "access-denied", api: "ListObjectsV2:www.example.com" }),
    );
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({
        status: "skipped",
        reason: "not-requested",
        message: expect.stringContaining("campaign.example.com"),
      }),
    );
    expect(content.sites.find((s) => s.bucket === "campaign.example.com")).toMatchObject({ scanned: false });
    expect(content.sites.find((s) => s.bucket === "www.example.com")).toMatchObject({ scanned: false });
  });

  it("skips objects over the size cap with a note naming them", async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: "assets/vendor.bundle.js", Size: 3_500_000, LastModified: new Date("2026-03-01T00:00:00Z") },
        { Key: "index.html", Size: 800, LastModified: new Date("2026-03-01T00:00:00Z") },
      ],
    });
    s3.on(GetObjectCommand).resolves({ Body: body(PAGE), ContentType: "text/html", ContentLength: 800 });
    const ctx = context({ enabled: true });
    const content = await collect(ctx);

    expect(content.objects.map((o) => o.key)).toEqual(["index.html"]);
    expect(s3).not.toHaveReceivedCommandWith(GetObjectCommand, { Key: "assets/vendor.bundle.js" });
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({
        status: "partial",
        message: expect.stringContaining("assets/vendor.bundle.js (3.3 MB)"),
      }),
    );
  });

  it("names Amplify apps it cannot scan, and finds regions with GetBucketLocation", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: "legacy-site" }] });
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: "EU" as never });
    s3.on(GetBucketWebsiteCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    amplify.on(ListAppsCommand).resolves({
      apps: [{ appId: "d2abc", name: "marketing", defaultDomain: "d2abc.amplifyapp.com" } as never],
    });
    const ctx = context({ enabled: true });
    const content = await collect(ctx);

    expect(content.sites.find((s) => s.bucket === "legacy-site")?.region).toBe("eu-west-1");
    expect(content.sites.find((s) => s.kind === "amplify-app")).toMatchObject({ appId: "d2abc", scanned: false });
    expect(ctx.coverage.entries).toContainEqual(
      expect.objectContaining({ service: "amplify", status: "skipped", message: expect.stringContaining("marketing") }),
    );
  });
});

describe("parseS3Origin", () => {
  it.each([
    ["www.example.com.s3.eu-west-1.amazonaws.com", { bucket: "www.example.com", region: "eu-west-1" }],
    ["assets.s3.amazonaws.com", { bucket: "assets" }],
    ["site.s3-website-us-west-2.amazonaws.com", { bucket: "site", region: "us-west-2" }],
    ["site.s3-website.eu-central-1.amazonaws.com", { bucket: "site", region: "eu-central-1" }],
    ["api.example.com", undefined],
    ["my-alb-123.eu-west-1.elb.amazonaws.com", undefined],
  ])("%s", (domain, expected) => {
    expect(parseS3Origin(domain)).toEqual(expected);
  });
});

describe("analyzeWebText", () => {
  it("keeps script sources, and marks page text apart from script", () => {
    const html = `<html><body><p>Coinhive shut down in 2019.</p>
<script src="https://cdn.example.net/a.js"></script>
<script>var miner = new CoinHive.Anonymous('abcdefghijklmnopqrstuvwxyz012345', {throttle: 0.3}); miner.start();</script>
</body></html>`;
    const result = analyzeWebText(html, "html");
    expect(result.scriptSources).toEqual(["https://cdn.example.net/a.js"]);
    const markup = result.excerpts.find((e) => e.line === 1);
    expect(markup).toMatchObject({ context: "markup", tokens: ["coinhive"] });
    const script = result.excerpts.find((e) => e.line === 3);
    expect(script?.context).toBe("script");
    expect(script?.text).toContain("CoinHive.Anonymous");
  });

  it("decodes atob, fromCharCode and hex escapes that hold candidate tokens", () => {
    const js = [
      'var u = atob("aHR0cHM6Ly9jb2luaGl2ZS5jb20vbGliL2NvaW5oaXZlLm1pbi5qcw==");',
      "var n = String.fromCharCode(67,111,105,110,72,105,118,101);",
      'var h = "\\x77\\x73\\x73\\x3a\\x2f\\x2f\\x70\\x6f\\x6f\\x6c\\x2e\\x65\\x78";',
      'var logo = atob("aGVsbG8gd29ybGQ=");',
    ].join("\n");
    const { decoded } = analyzeWebText(js, "script");
    expect(decoded.map((d) => [d.line, d.encoding, d.text])).toEqual([
      [1, "base64", "https://coinhive.com/lib/coinhive.min.js"],
      [2, "char-codes", "CoinHive"],
      [3, "hex-escape", "wss://pool.ex"],
    ]);
  });

  it("caps excerpts and keeps the most specific tokens first", () => {
    const noise = Array.from({ length: 200 }, (_, k) => `function t${k}(){ return throttle(fn, ${k}); }`).join("\n");
    const result = analyzeWebText(`${noise}\nloadScript("https://authedmine.com/lib/authedmine.min.js");`, "script");
    expect(result.excerpts).toHaveLength(MAX_EXCERPTS);
    expect(result.excerptCount).toBeGreaterThan(MAX_EXCERPTS);
    expect(result.excerpts.some((e) => e.tokens.includes("authedmine"))).toBe(true);
  });

  it("collects WebAssembly modules and WebSocket URLs, redacting what looks secret", () => {
    const js =
      'WebAssembly.instantiateStreaming(fetch("/wasm/mozjpeg_enc.wasm"));\nconst ws = new WebSocket("wss://rt.example.com/live?token=abc");';
    const result = analyzeWebText(js, "script");
    expect(result.wasmModules).toEqual(["mozjpeg_enc.wasm"]);
    expect(result.webSockets).toEqual(["wss://rt.example.com/live?token=[REDACTED]"]);
  });

  it.each([
    ["index.html", undefined, "html"],
    ["app.mjs", undefined, "script"],
    ["about", "text/html; charset=utf-8", "html"],
    ["logo.js", "image/png", undefined],
    ["styles.css", undefined, undefined],
  ] as const)("fileKindOf(%s, %s) is %s", (key, type, expected) => {
    expect(fileKindOf(key, type)).toBe(expected);
  });
});

describe("carryScriptSources", () => {
  it("fills previousScriptSources from the last snapshot's pages", () => {
    const object = {
      bucket: "www.example.com",
      key: "index.html",
      region: "eu-west-1",
      size: 10,
      lastModified: "2026-03-08T00:00:00.000Z",
      contentType: "text/html",
      scriptSources: ["/js/app.js"],
    };
    const previous = buildSnapshot({
      collectedAt: "2026-03-09T06:00:00.000Z",
      webContent: { objectBudget: 500, objectsScanned: 1, objects: [object] },
    });
    const current = buildSnapshot({ webContent: { objectBudget: 500, objectsScanned: 0 } });
    const carried = carryScriptSources(previous, current);
    expect(carried.webContent?.previousScriptSources).toEqual({
      collectedAt: "2026-03-09T06:00:00.000Z",
      byObject: { "s3://www.example.com/index.html": ["/js/app.js"] },
    });
    expect(carryScriptSources(undefined, current)).toBe(current);
  });
});
