/**
 * Miner indicators in a stored script (user data, lifecycle configs, buildspecs), summarized for a
 * signal: how strong, which kinds, and the few most telling matched lines, quoted and redacted
 * (findMinerIndicators quotes each line with quoteLine). Never the whole script: it may hold secrets.
 */
import type { RedactedText } from "../../core/sections/common.js";
import {
  findMinerIndicators,
  type IndicatorKind,
  type IndicatorMatch,
  type IndicatorStrength,
  strength,
} from "./miner-indicators.js";

/** Quoted lines per signal: enough to show the evidence, short enough for an email. */
export const MAX_QUOTED_LINES = 3;

/** How telling a line is, by its most telling match: the pool URL line says the most. */
const KIND_WEIGHT: Record<IndicatorKind, number> = {
  "stratum-url": 5,
  "pool-domain": 4,
  "miner-flag": 3,
  "miner-binary": 2,
  "mining-port": 1,
};

export interface ScriptVerdict {
  strength: Exclude<IndicatorStrength, "none">;
  kinds: IndicatorKind[];
  indicators: string[];
  lineNumbers: number[];
  /** `line N: "..."`, the most telling lines in line order. */
  quotedLines: string[];
  /** " (and 2 more matching lines)" or "". */
  moreLines: string;
  /** A sentence about truncation, or "". */
  truncationNote: string;
  sha256: string;
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function quoted(matches: IndicatorMatch[]): string[] {
  const byLine = new Map<number, { line: string; weight: number }>();
  for (const match of matches) {
    const entry = byLine.get(match.lineNumber);
    byLine.set(match.lineNumber, {
      line: entry?.line ?? match.line,
      weight: Math.max(entry?.weight ?? 0, KIND_WEIGHT[match.kind]),
    });
  }
  return [...byLine.entries()]
    .sort(([lineA, a], [lineB, b]) => b.weight - a.weight || lineA - lineB)
    .slice(0, MAX_QUOTED_LINES)
    .sort(([lineA], [lineB]) => lineA - lineB)
    .map(([lineNumber, { line }]) => `line ${lineNumber}: "${line}"`);
}

/** The verdict on one stored script, or undefined when it has no miner indicator. */
export function scriptVerdict(script: RedactedText | undefined): ScriptVerdict | undefined {
  if (!script) return undefined;
  const matches = findMinerIndicators(script.text);
  const level = strength(matches);
  if (level === "none") return undefined;
  const lineNumbers = distinct(matches.map((m) => m.lineNumber));
  const quotedLines = quoted(matches);
  const more = lineNumbers.length - quotedLines.length;
  return {
    strength: level,
    kinds: distinct(matches.map((m) => m.kind)),
    indicators: distinct(matches.map((m) => m.indicator)),
    lineNumbers,
    quotedLines,
    moreLines: more > 0 ? ` (and ${more} more matching line${more > 1 ? "s" : ""})` : "",
    truncationNote: script.truncated
      ? ` The stored text was truncated (${script.sizeBytes} bytes in all); lines past the cut were not checked.`
      : "",
    sha256: script.sha256,
  };
}

/** The stronger of two verdicts (strong beats weak; the first on a tie). */
export function strongerVerdict(a: ScriptVerdict | undefined, b: ScriptVerdict | undefined): ScriptVerdict | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.strength === "strong" && a.strength !== "strong" ? b : a;
}

/** "line 3: \"...\"; line 5: \"...\" (and 1 more matching line)": the evidence part of a message. */
export function evidenceText(verdict: ScriptVerdict): string {
  return `${verdict.quotedLines.join("; ")}${verdict.moreLines}`;
}
