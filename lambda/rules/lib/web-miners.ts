/**
 * What the facts kept about a web object (lambda/core/sections/web-content.ts) say about an
 * in-browser miner: known miner services and scripts, miner API calls, CryptoNight/RandomX
 * WebAssembly, WebSockets to mining proxies, obfuscated loaders. Shared by the web rules.
 *
 * Only code counts: a known name in page text (a blog post about Coinhive, a code sample in <pre>)
 * is markup, not a miner. Script sources, decoded literals and script excerpts are code.
 */

import type { WebObject } from "../../core/sections/web-content.js";
import type { AccountSnapshot } from "../../core/snapshot.js";
import { MINING_PORTS, POOL_DOMAINS } from "./miner-indicators.js";

export type WebMinerKind = "known-miner" | "miner-api" | "miner-wasm" | "mining-socket" | "obfuscated-loader";

export interface WebMinerEvidence {
  kind: WebMinerKind;
  /** What matched, normalised: "coinhive.com", "CoinHive.Anonymous", "cryptonight.wasm". */
  indicator: string;
  /** Where: a script source, a script excerpt, a decoded literal, a WebAssembly module, a WebSocket. */
  source: "script-src" | "excerpt" | "decoded" | "wasm" | "websocket";
  line?: number;
  /** The evidence as stored (already redacted and shortened by the collector). */
  text: string;
}

/** Kinds that prove a miner on their own; the others (loader, proxy-shaped socket) are suspicious. */
export const DECISIVE_KINDS: ReadonlySet<WebMinerKind> = new Set(["known-miner", "miner-api", "miner-wasm"]);

/** In-browser miner services, their script names and hosts (Coinhive and those that copied it). */
export const WEB_MINER_NAMES = [
  "coinhive",
  "coin-hive",
  "authedmine",
  "cryptoloot",
  "crypto-loot",
  "coinimp",
  "jsecoin",
  "webminepool",
  "webminerpool",
  "deepminer",
  "monerise",
  "minero.cc",
  "coinhave",
  "cryptonoter",
  "minemytraffic",
  "mineralt",
  "ppoi.org",
  "projectpoi",
  "webmine.cz",
  "webmine.pro",
  "crypto-webminer",
  "coinerra",
] as const;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const KNOWN_NAME = new RegExp(
  `(?<![a-z0-9])(${[...WEB_MINER_NAMES, ...POOL_DOMAINS]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|")})(?![a-z0-9])`,
  "i",
);

/** Proof-of-work WebAssembly: cryptonight.wasm, cn.wasm, randomx-web.wasm, argon2-miner.wasm. */
const MINER_WASM =
  /(?:cryptonight|randomx|webminer|coinhive)[\w.-]*\.wasm$|^(?:cn(?:[-_](?:lite|heavy|pico|r))?|rx[-_]?web|miner(?:[-_.][\w.-]*)?)\.wasm$/i;

/** `new CoinHive.Anonymous('SITEKEY', {throttle: 0.3})` and the copies' equivalents. */
const MINER_API_KNOWN =
  /\b(?:(?:coinhive|coinimp|crlt|cryptoloot|deepminer)\.(?:anonymous|user|token)|client\.anonymous)\s*\(/i;
const MINER_API_GENERIC = /\.(anonymous|user|token)\s*\(\s*["'][A-Za-z0-9_-]{8,}["']\s*,\s*\{[^}]*\bthrottle\s*:/i;

/** Code that runs what it just decoded, the shape of an obfuscated loader. */
const EVAL_DECODED =
  /\b(?:eval|Function)\s*\(\s*(?:atob|unescape|decodeURIComponent|String\.fromCharCode|function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e)/i;
/** Words a decoded literal has no business holding unless it is part of a miner. */
const MINING_WORDS = /\b(?:miner|mining|hashes|hashrate|throttle|stratum|monero|xmr|cryptonight|randomx)\b/i;

/** Every piece of miner evidence in one object's stored facts. */
export function webMinerEvidence(object: WebObject): WebMinerEvidence[] {
  const evidence: WebMinerEvidence[] = [];
  const add = (item: WebMinerEvidence): void => {
    if (!evidence.some((e) => e.kind === item.kind && e.indicator === item.indicator && e.source === item.source)) {
      evidence.push(item);
    }
  };

  for (const src of object.scriptSources) {
    const name = KNOWN_NAME.exec(src)?.[1];
    if (name) add({ kind: "known-miner", indicator: name.toLowerCase(), source: "script-src", text: src });
  }
  for (const excerpt of object.excerpts) {
    if (excerpt.context !== "script") continue;
    const name = KNOWN_NAME.exec(excerpt.text)?.[1];
    if (name) {
      add({
        kind: "known-miner",
        indicator: name.toLowerCase(),
        source: "excerpt",
        line: excerpt.line,
        text: excerpt.text,
      });
    }
    const api = MINER_API_KNOWN.exec(excerpt.text) ?? MINER_API_GENERIC.exec(excerpt.text);
    if (api) {
      add({
        kind: "miner-api",
        indicator: api[0].replace(/\s+/g, ""),
        source: "excerpt",
        line: excerpt.line,
        text: excerpt.text,
      });
    }
    const loader = EVAL_DECODED.exec(excerpt.text);
    if (loader) {
      add({
        kind: "obfuscated-loader",
        indicator: loader[0].replace(/\s+/g, ""),
        source: "excerpt",
        line: excerpt.line,
        text: excerpt.text,
      });
    }
  }
  for (const decoded of object.decoded) {
    if (decoded.context !== "script") continue;
    const name = KNOWN_NAME.exec(decoded.text)?.[1];
    if (name) {
      add({
        kind: "known-miner",
        indicator: `${name.toLowerCase()} (${decoded.encoding}-encoded)`,
        source: "decoded",
        line: decoded.line,
        text: decoded.text,
      });
    } else if (MINING_WORDS.test(decoded.text)) {
      add({
        kind: "obfuscated-loader",
        indicator: `${decoded.encoding}-encoded "${decoded.text.slice(0, 60)}"`,
        source: "decoded",
        line: decoded.line,
        text: decoded.text,
      });
    }
  }
  for (const module of object.wasmModules) {
    const base = module.split("/").pop() ?? module;
    if (MINER_WASM.test(base)) add({ kind: "miner-wasm", indicator: base.toLowerCase(), source: "wasm", text: module });
  }
  for (const url of object.webSockets) {
    const host = hostOf(url);
    const name = host ? KNOWN_NAME.exec(host)?.[1] : undefined;
    if (name) {
      add({ kind: "known-miner", indicator: name.toLowerCase(), source: "websocket", text: url });
    } else if (miningProxyShape(url)) {
      add({ kind: "mining-socket", indicator: url, source: "websocket", text: url });
    }
  }
  return evidence;
}

/** A WebSocket URL shaped like a mining proxy: a pool port, or a /proxy path as Coinhive's ws servers used. */
function miningProxyShape(url: string): boolean {
  try {
    const parsed = new URL(url);
    const port = Number(parsed.port);
    return (
      (MINING_PORTS as readonly number[]).includes(port) || /^\/(?:proxy|miner|mine|pool)\b/i.test(parsed.pathname)
    );
  } catch {
    return false;
  }
}

/** The host of an absolute or protocol-relative URL, lower case; undefined for a relative path. */
export function hostOf(url: string): string | undefined {
  const absolute = url.startsWith("//") ? `https:${url}` : url;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(absolute)) return undefined;
  try {
    return new URL(absolute).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The CloudFront path to invalidate for an object: the key below the distribution's origin path.
 * Undefined when the object is outside what the distribution serves.
 */
export function cdnPath(snapshot: AccountSnapshot, object: WebObject, distributionId: string): string | undefined {
  const site = snapshot.webContent?.sites.find(
    (s) => s.distributionId === distributionId && s.bucket === object.bucket,
  );
  const prefix = (site?.originPath ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix && !object.key.startsWith(`${prefix}/`)) return undefined;
  return `/${prefix ? object.key.slice(prefix.length + 1) : object.key}`;
}
