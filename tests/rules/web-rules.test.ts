/**
 * The in-browser miner rules (MW-WEB-MINER-SCRIPT, MW-WEB-NEW-SCRIPT-SOURCE) over web objects as the
 * collector stores them: the analysis of real page text (analyzeWebText) feeds the rules, so these
 * tests also check that what the collector keeps is enough to judge.
 */
import { describe, expect, it } from "vitest";
import { analyzeWebText, type WebFileKind } from "../../lambda/collect/web-text.js";
import type { WebContent } from "../../lambda/core/sections/web-content.js";
import { webContainmentSteps } from "../../lambda/correlate/web-containment.js";
import type { Signal } from "../../lambda/rules/types.js";
import { webMinerScript } from "../../lambda/rules/web-miner-script.js";
import { webNewScriptSource } from "../../lambda/rules/web-new-script-source.js";
import { buildSnapshot, hoursAgo, ruleContext } from "../support/snapshot-builder.js";

type WebObjectInput = WebContent["objects"][number];

function webObject(key: string, text: string, extra: Partial<WebObjectInput> = {}): WebObjectInput {
  const kind: WebFileKind = key.endsWith(".js") ? "script" : "html";
  return {
    bucket: "www.example.com",
    key,
    region: "eu-west-1",
    contentType: kind === "html" ? "text/html" : "application/javascript",
    size: text.length,
    lastModified: hoursAgo(5),
    versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
    etag: '"9b2cf535f27731c974343645a3985328"',
    distributionIds: ["E2SHOPDIST"],
    siteDomains: ["www.example.com", "d111111abcdef8.cloudfront.net"],
    ...analyzeWebText(text, kind),
    ...extra,
  };
}

function evaluate(objects: WebObjectInput[], previous?: Record<string, string[]>): Signal[] {
  const snapshot = buildSnapshot({
    webContent: {
      objectBudget: 500,
      objectsScanned: objects.length,
      sites: [
        {
          kind: "cloudfront-origin",
          bucket: "www.example.com",
          region: "eu-west-1",
          distributionId: "E2SHOPDIST",
          domains: ["d111111abcdef8.cloudfront.net"],
          scanned: true,
        },
      ],
      objects,
      ...(previous ? { previousScriptSources: { collectedAt: hoursAgo(24), byObject: previous } } : {}),
    },
  });
  const context = ruleContext(snapshot);
  return [...webMinerScript.evaluate(snapshot, context), ...webNewScriptSource.evaluate(snapshot, context)];
}

const KEY = "abcdefghijklmnopqrstuvwxyz012345";

describe("MW-WEB-MINER-SCRIPT", () => {
  it.each([
    ["a Coinhive script tag", `<script src="https://coinhive.com/lib/coinhive.min.js"></script>`, "known-miner"],
    ["an AuthedMine script tag", `<script src="//authedmine.com/lib/authedmine.min.js"></script>`, "known-miner"],
    [
      "a Coinhive API call with a site key and throttle",
      `<script>var m = new CoinHive.Anonymous('${KEY}', {throttle: 0.3}); m.start();</script>`,
      "miner-api",
    ],
    [
      "a renamed miner object started with a site key and throttle",
      `<script>var m = new window.Ab.Anonymous("${KEY}", {throttle: 0.5, c: "w"}); m.start();</script>`,
      "miner-api",
    ],
    [
      "a loader that base64-encodes the miner host",
      `<script>var s=document.createElement("script");s.src=atob("aHR0cHM6Ly9jb2luaGl2ZS5jb20vbGliL2NvaW5oaXZlLm1pbi5qcw==");document.head.appendChild(s);</script>`,
      "known-miner",
    ],
    [
      "a CryptoNight WebAssembly module",
      `<script>WebAssembly.instantiateStreaming(fetch("/lib/cryptonight.wasm"));</script>`,
      "miner-wasm",
    ],
    ["a WebSocket to a pool", `<script>new WebSocket("wss://pool.supportxmr.com:443/")</script>`, "known-miner"],
  ])("is critical for %s", (_label, page, kind) => {
    const [signal] = evaluate([webObject("index.html", `<html><body>${page}</body></html>`)]);
    expect(signal?.severity).toBe("critical");
    expect(signal?.details?.indicatorKinds).toContain(kind);
    expect(signal?.resource).toEqual({ type: "s3-object", id: "s3://www.example.com/index.html", region: "eu-west-1" });
  });

  it.each([
    ["an eval of decoded text", `<script>eval(atob("dmFyIHg9MTtjb25zb2xlLmxvZyh4KQ=="))</script>`, "obfuscated-loader"],
    [
      "char codes spelling a hash-rate option",
      `<script>var o={};o[String.fromCharCode(116,104,114,111,116,116,108,101)]=0.2;</script>`,
      "obfuscated-loader",
    ],
    [
      "a WebSocket to a proxy-shaped URL",
      `<script>var w=new WebSocket("wss://ws7.cdn-sync.net:8443/proxy")</script>`,
      "mining-socket",
    ],
  ])("is medium for %s alone", (_label, page, kind) => {
    const [signal] = evaluate([webObject("index.html", `<html><body>${page}</body></html>`)]);
    expect(signal?.severity).toBe("medium");
    expect(signal?.details?.indicatorKinds).toEqual([kind]);
  });

  it("carries what a responder needs: bucket, key, distribution, line, last modified, CDN path", () => {
    const [signal] = evaluate([
      webObject("shop/index.html", `<html>\n<script src="https://coinhive.com/lib/coinhive.min.js"></script>\n</html>`),
    ]);
    expect(signal?.details).toMatchObject({
      bucket: "www.example.com",
      key: "shop/index.html",
      distributionIds: ["E2SHOPDIST"],
      cdnPaths: ["/shop/index.html"],
      versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
      matchedLines: expect.arrayContaining(["https://coinhive.com/lib/coinhive.min.js"]),
    });
    expect(signal?.message).toContain("served by CloudFront E2SHOPDIST");
  });

  it.each([
    [
      "a blog article about Coinhive",
      "blog/coinhive.html",
      `<html><body><article><h1>Why Coinhive shut down</h1><p>Coinhive, authedmine.com and CryptoLoot let sites mine Monero with visitors' CPUs.</p>
<pre><code>var miner = new CoinHive.Anonymous('SITE_KEY', {throttle: 0.3});</code></pre></article></body></html>`,
    ],
    [
      "an analytics bundle with throttle, atob and a WebSocket",
      "assets/analytics.js",
      `function throttle(fn, wait){var t;return function(){clearTimeout(t);t=setTimeout(fn,wait)}}
var cfg = JSON.parse(atob("eyJlbmRwb2ludCI6Ii9jb2xsZWN0In0="));
var live = new WebSocket("wss://rt.example.com/live");
function utf8(b){return String.fromCharCode.apply(null, b)}`,
    ],
    [
      "WebAssembly used for image processing",
      "tools/resize.js",
      `const { instance } = await WebAssembly.instantiateStreaming(fetch("squoosh_resize_bg.wasm"));
const mozjpeg = await import("./mozjpeg_enc.js"); // loads mozjpeg_enc.wasm`,
    ],
  ])("stays quiet for %s", (_label, key, text) => {
    expect(evaluate([webObject(key, text)])).toEqual([]);
  });

  it("does not apply without web content", () => {
    const snapshot = buildSnapshot();
    expect(webMinerScript.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});

describe("MW-WEB-NEW-SCRIPT-SOURCE", () => {
  const before = ["/js/app.js", "https://www.googletagmanager.com/gtag/js?id=G-1"];
  const page = (extra: string) =>
    `<html><head><script src="/js/app.js"></script><script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>${extra}</head></html>`;

  it("is low for a new third-party host alone", () => {
    const signals = evaluate(
      [webObject("index.html", page(`<script src="https://cdn.widgets.io/chat.js"></script>`))],
      {
        "s3://www.example.com/index.html": before,
      },
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ ruleId: "MW-WEB-NEW-SCRIPT-SOURCE", severity: "low" });
    expect(signals[0]?.details?.newHosts).toEqual(["cdn.widgets.io"]);
  });

  it("is medium when the page also carries miner-shaped code", () => {
    const signals = evaluate(
      [
        webObject(
          "index.html",
          page(`<script src="https://cdn.jsstat.net/l.js"></script><script>eval(atob("dmFyIHg9MQ=="))</script>`),
        ),
      ],
      { "s3://www.example.com/index.html": before },
    );
    expect(signals.find((s) => s.ruleId === "MW-WEB-NEW-SCRIPT-SOURCE")?.severity).toBe("medium");
  });

  it.each([
    ["the same hosts as before", page(""), { "s3://www.example.com/index.html": before }],
    [
      "a new script on the site's own domain",
      page(`<script src="https://d111111abcdef8.cloudfront.net/x.js"></script>`),
      { "s3://www.example.com/index.html": before },
    ],
    ["a page the previous run did not see", page(`<script src="https://cdn.widgets.io/chat.js"></script>`), {}],
    ["no previous state", page(`<script src="https://cdn.widgets.io/chat.js"></script>`), undefined],
  ])("stays quiet for %s", (_label, html, previous) => {
    expect(evaluate([webObject("index.html", html)], previous)).toEqual([]);
  });
});

describe("web containment", () => {
  it("restores the previous version, invalidates the CDN path and rotates the writer's key", () => {
    const signals = evaluate([
      webObject("index.html", `<html><script src="https://coinhive.com/lib/coinhive.min.js"></script></html>`),
    ]);
    const steps = webContainmentSteps({ id: "mw-0123456789ab", signals });
    const commands = steps.map((s) => s.command).join("\n");
    expect(commands).toContain(
      "aws s3api get-object --bucket www.example.com --key index.html --version-id 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
    );
    expect(commands).toContain("aws s3api list-object-versions --bucket www.example.com --prefix index.html");
    expect(commands).toContain(
      "aws s3api copy-object --bucket www.example.com --key index.html --copy-source 'www.example.com/index.html?versionId=<PREVIOUS_VERSION_ID>'",
    );
    expect(commands).toContain('aws cloudfront create-invalidation --distribution-id E2SHOPDIST --paths "/index.html"');
    expect(commands).toContain("aws iam update-access-key");
  });

  it("has nothing to say about incidents without web objects", () => {
    expect(webContainmentSteps({ id: "mw-x", signals: [] })).toEqual([]);
  });
});
