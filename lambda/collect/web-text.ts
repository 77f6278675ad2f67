/**
 * What the web-content collector keeps of one HTML or JavaScript object (see the header of
 * lambda/core/sections/web-content.ts for why these facts and not the body): script sources,
 * excerpts around candidate tokens, decoded literals, WebAssembly modules and WebSocket URLs.
 *
 * The candidate list is deliberately broad and judges nothing: "throttle" is in a lodash bundle
 * as surely as in a Coinhive call. The rules decide what an excerpt means. Everything kept is
 * shortened and redacted with quoteLine, so a token in a page's config never reaches a report.
 */
import { quoteLine } from "../core/redact.js";
import type { DecodedLiteral, WebExcerpt, WebObject } from "../core/sections/web-content.js";

export type WebFileKind = "html" | "script";

/** Candidate tokens, most specific first: when excerpts are capped, the first tiers are kept. */
export const CANDIDATE_TOKEN_TIERS: readonly (readonly string[])[] = [
  // Miner services, their scripts and proof-of-work names.
  [
    "coinhive",
    "coin-hive",
    "authedmine",
    "cryptoloot",
    "crypto-loot",
    "coinimp",
    "jsecoin",
    "webminepool",
    "webminer",
    "deepminer",
    "monerise",
    "minero",
    "coinhave",
    "cryptonoter",
    "minemytraffic",
    "mineralt",
    "cryptonight",
    "randomx",
    "stratum",
    "monero",
    "xmr",
  ],
  // Words of miner APIs and transports.
  [
    "anonymous(",
    "throttle",
    "sitekey",
    "site_key",
    "hashespersecond",
    "gettotalhashes",
    "hashrate",
    "miner",
    "mining",
    "wss://",
    "ws://",
    "websocket",
    ".wasm",
    "webassembly",
  ],
  // Decoders obfuscated loaders use.
  ["atob(", "fromcharcode", "\\x", "\\u00", "eval(", "unescape("],
];

const ALL_TOKENS = CANDIDATE_TOKEN_TIERS.flat();

/** Excerpts kept per object: enough for every distinct indicator, small enough for a snapshot. */
export const MAX_EXCERPTS = 24;
/** Occurrences of one token considered per object (a bundle may say "throttle" a thousand times). */
const MAX_OCCURRENCES_PER_TOKEN = 40;
const MAX_DECODED = 16;
const MAX_SCRIPT_SOURCES = 200;
const MAX_URLS = 50;
/** Characters kept either side of a token before quoteLine shortens the excerpt. */
const EXCERPT_RADIUS = 140;
const EXCERPT_LENGTH = 220;

const HTML_SUFFIX = /\.(?:html?|shtml|xhtml)$/i;
const SCRIPT_SUFFIX = /\.(?:js|mjs|cjs)$/i;

/**
 * Whether an object is HTML or JavaScript: by key suffix when listing (ListObjectsV2 returns no
 * content type), and by content type once read (a `.js` key served as an image is not a script).
 */
export function fileKindOf(key: string, contentType?: string): WebFileKind | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type) {
    if (type === "text/html" || type === "application/xhtml+xml") return "html";
    if (/javascript|ecmascript/.test(type)) return "script";
    if (/^(image|video|audio|font)\//.test(type) || type === "text/css" || type === "application/wasm") {
      return undefined;
    }
  }
  if (HTML_SUFFIX.test(key)) return "html";
  if (SCRIPT_SUFFIX.test(key)) return "script";
  return undefined;
}

type Analysis = Pick<
  WebObject,
  "scriptSources" | "excerpts" | "excerptCount" | "decoded" | "wasmModules" | "webSockets"
>;

/** Reads one object's text into the facts the snapshot keeps. */
export function analyzeWebText(text: string, kind: WebFileKind): Analysis {
  const lines = lineStarts(text);
  const scriptRanges = kind === "html" ? htmlScriptRanges(text) : [];
  const contextAt = (offset: number): "script" | "markup" =>
    kind === "script" || inRanges(scriptRanges, offset) ? "script" : "markup";

  const { excerpts, excerptCount } = findExcerpts(text, lines, contextAt);
  const decoded = decodeLiterals(text, lines, contextAt);
  const decodedTexts = decoded.map((d) => d.text);
  return {
    scriptSources: kind === "html" ? scriptSources(text) : [],
    excerpts,
    excerptCount,
    decoded,
    wasmModules: unique([...matchAll(text, WASM_PATTERN), ...decodedTexts.flatMap((t) => matchAll(t, WASM_PATTERN))]),
    webSockets: unique([
      ...matchAll(text, WEBSOCKET_PATTERN),
      ...decodedTexts.flatMap((t) => matchAll(t, WEBSOCKET_PATTERN)),
    ]).map((url) => quoteLine(url, 200)),
  };
}

// ---------------------------------------------------------------------------------------------
// Lines and script ranges

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line number of `offset` (binary search over line starts). */
function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** Offsets of inline script bodies and on* handler attributes in a page. */
function htmlScriptRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const open = /<script\b[^>]*>/gi;
  const lower = text.toLowerCase();
  for (let m = open.exec(text); m !== null; m = open.exec(text)) {
    const start = m.index + m[0].length;
    const close = lower.indexOf("</script", start);
    const end = close < 0 ? text.length : close;
    ranges.push([m.index, end]);
    open.lastIndex = end;
  }
  const handler = /\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi;
  for (let m = handler.exec(text); m !== null; m = handler.exec(text)) ranges.push([m.index, m.index + m[0].length]);
  const scheme = /\bhref\s*=\s*["']\s*javascript:[^"']*/gi;
  for (let m = scheme.exec(text); m !== null; m = scheme.exec(text)) ranges.push([m.index, m.index + m[0].length]);
  return ranges.sort((a, b) => a[0] - b[0]);
}

function inRanges(ranges: ReadonlyArray<[number, number]>, offset: number): boolean {
  return ranges.some(([start, end]) => offset >= start && offset < end);
}

// ---------------------------------------------------------------------------------------------
// Excerpts

interface Occurrence {
  offset: number;
  token: string;
  tier: number;
}

function findExcerpts(
  text: string,
  lines: readonly number[],
  contextAt: (offset: number) => "script" | "markup",
): { excerpts: WebExcerpt[]; excerptCount: number } {
  const lower = text.toLowerCase();
  const occurrences: Occurrence[] = [];
  CANDIDATE_TOKEN_TIERS.forEach((tokens, tier) => {
    for (const token of tokens) {
      let seen = 0;
      for (
        let at = lower.indexOf(token);
        at >= 0 && seen < MAX_OCCURRENCES_PER_TOKEN;
        at = lower.indexOf(token, at + 1)
      ) {
        occurrences.push({ offset: at, token, tier });
        seen++;
      }
    }
  });
  // Most specific first, then in page order; an occurrence inside an excerpt already taken joins it.
  occurrences.sort((a, b) => a.tier - b.tier || a.offset - b.offset);
  const taken: Array<{ start: number; end: number; offset: number; tokens: Set<string> }> = [];
  let excerptCount = 0;
  for (const occurrence of occurrences) {
    const host = taken.find((e) => occurrence.offset >= e.start && occurrence.offset < e.end);
    if (host) {
      host.tokens.add(occurrence.token);
      continue;
    }
    excerptCount++;
    if (taken.length >= MAX_EXCERPTS) continue;
    const lineStart = text.lastIndexOf("\n", occurrence.offset) + 1;
    const lineEndRaw = text.indexOf("\n", occurrence.offset);
    const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
    taken.push({
      start: Math.max(lineStart, occurrence.offset - EXCERPT_RADIUS),
      end: Math.min(lineEnd, occurrence.offset + occurrence.token.length + EXCERPT_RADIUS),
      offset: occurrence.offset,
      tokens: new Set([occurrence.token]),
    });
  }
  const excerpts = taken
    .sort((a, b) => a.start - b.start)
    .map((e) => {
      const focus = [...e.tokens][0];
      return {
        line: lineOf(lines, e.offset),
        tokens: [...e.tokens].sort(),
        context: contextAt(e.offset),
        text: quoteLine(text.slice(e.start, e.end), EXCERPT_LENGTH, focus),
      };
    });
  return { excerpts, excerptCount };
}

// ---------------------------------------------------------------------------------------------
// Decoded literals

const ATOB_CALL = /atob\(\s*(["'`])([A-Za-z0-9+/=\s]{4,4000})\1\s*\)/g;
/** A quoted base64-looking literal, decoded only in code that calls atob. */
const BASE64_LITERAL = /(["'`])([A-Za-z0-9+/]{8,4000}={0,2})\1/g;
const CHAR_CODES = /fromCharCode\(\s*((?:0x[0-9a-f]+|\d+)(?:\s*,\s*(?:0x[0-9a-f]+|\d+)){2,400})\s*\)/gi;
const HEX_ESCAPES = /(?:\\x[0-9a-f]{2}){4,2000}/gi;
const UNICODE_ESCAPES = /(?:\\u[0-9a-f]{4}){4,2000}/gi;
const MAX_LITERALS_EXAMINED = 5000;

function decodeLiterals(
  text: string,
  lines: readonly number[],
  contextAt: (offset: number) => "script" | "markup",
): DecodedLiteral[] {
  const found = new Map<string, DecodedLiteral>();
  const keep = (offset: number, encoding: DecodedLiteral["encoding"], decoded: string | undefined): void => {
    if (decoded === undefined || found.size >= MAX_DECODED) return;
    const lower = decoded.toLowerCase();
    // Only decoded text that holds a candidate token is worth a place in the snapshot.
    if (!ALL_TOKENS.some((token) => lower.includes(token))) return;
    const quoted = quoteLine(decoded, 200);
    if (!found.has(quoted)) {
      found.set(quoted, { line: lineOf(lines, offset), encoding, context: contextAt(offset), text: quoted });
    }
  };
  const scan = (pattern: RegExp, each: (m: RegExpExecArray) => void): void => {
    pattern.lastIndex = 0;
    let examined = 0;
    for (let m = pattern.exec(text); m !== null && examined < MAX_LITERALS_EXAMINED; m = pattern.exec(text)) {
      each(m);
      examined++;
    }
  };
  scan(ATOB_CALL, (m) => keep(m.index, "base64", decodeBase64(m[2] ?? "")));
  if (text.includes("atob(")) {
    scan(BASE64_LITERAL, (m) => {
      const literal = m[2] ?? "";
      if (literal.length % 4 === 0) keep(m.index, "base64", decodeBase64(literal));
    });
  }
  scan(CHAR_CODES, (m) => {
    const codes = (m[1] ?? "").split(",").map((c) => Number(c.trim()));
    if (codes.every((c) => Number.isInteger(c) && c > 0 && c < 0x110000)) {
      keep(m.index, "char-codes", printableOrUndefined(String.fromCodePoint(...codes)));
    }
  });
  scan(HEX_ESCAPES, (m) =>
    keep(
      m.index,
      "hex-escape",
      printableOrUndefined(
        m[0].replace(/\\x([0-9a-f]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      ),
    ),
  );
  scan(UNICODE_ESCAPES, (m) =>
    keep(
      m.index,
      "unicode-escape",
      printableOrUndefined(
        m[0].replace(/\\u([0-9a-f]{4})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      ),
    ),
  );
  return [...found.values()].sort((a, b) => a.line - b.line);
}

function decodeBase64(literal: string): string | undefined {
  const compact = literal.replace(/\s+/g, "");
  if (compact.length < 4) return undefined;
  return printableOrUndefined(Buffer.from(compact, "base64").toString("utf8"));
}

/** Decoded text that reads as text (not binary that happened to decode). */
function printableOrUndefined(decoded: string): string | undefined {
  if (decoded.length === 0) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: counting binary bytes is the point
  const binary = decoded.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  return binary / decoded.length <= 0.05 ? decoded : undefined;
}

// ---------------------------------------------------------------------------------------------
// Script sources, WebAssembly modules, WebSocket URLs

const SCRIPT_SRC = /<script\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const WASM_PATTERN = /["'`(/]([A-Za-z0-9_.@-]{1,120}\.wasm)(?=[?#"'`)\s])/gi;
const WEBSOCKET_PATTERN = /\bwss?:\/\/[^\s"'`<>)\\,;]{3,200}/gi;

function scriptSources(text: string): string[] {
  const sources: string[] = [];
  SCRIPT_SRC.lastIndex = 0;
  for (let m = SCRIPT_SRC.exec(text); m !== null && sources.length < MAX_SCRIPT_SOURCES; m = SCRIPT_SRC.exec(text)) {
    const src = (m[1] ?? m[2] ?? m[3] ?? "").trim();
    if (src) sources.push(quoteLine(src, 300));
  }
  return sources;
}

function matchAll(text: string, pattern: RegExp): string[] {
  const results: string[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null && results.length < MAX_URLS; m = pattern.exec(text)) {
    results.push(m[1] ?? m[0]);
  }
  return results;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].slice(0, MAX_URLS);
}
