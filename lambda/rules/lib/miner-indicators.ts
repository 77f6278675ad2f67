/**
 * Finds cryptocurrency-miner indicators in any text at rest: EC2 user data today; ECS task
 * definitions, SageMaker lifecycle configs and CodeBuild buildspecs later. It knows nothing about
 * where the text came from, and returns each match with its line, quoted and redacted.
 *
 * Indicators (DESIGN.md, "Miner indicators at rest"): stratum URLs, miner binaries, miner flags and
 * algorithms, public pool domains, and mining ports written as host:port. Patterns are anchored so
 * that numbers and words that merely resemble them (version 3.3333, containerd) do not match.
 */
import { quoteLine } from "../../core/redact.js";

export type IndicatorKind = "stratum-url" | "miner-binary" | "miner-flag" | "pool-domain" | "mining-port";

export interface IndicatorMatch {
  /** 1-based line number in the text. */
  lineNumber: number;
  /** The whole line, redacted and shortened for quoting (quoteLine). */
  line: string;
  /** What matched, normalised: "stratum+tcp://pool.supportxmr.com:3333", "xmrig", "--donate-level". */
  indicator: string;
  kind: IndicatorKind;
}

export type IndicatorStrength = "strong" | "weak" | "none";

interface Pattern {
  kind: IndicatorKind;
  regex: RegExp;
  /** Turns the raw match into the reported indicator; the lower-cased match by default. */
  name?: (match: RegExpExecArray) => string;
}

/** Public mining pools (and pool brands) seen in cryptojacking cases. Matched as whole labels. */
export const POOL_DOMAINS = [
  "supportxmr.com",
  "nanopool.org",
  "hashvault.pro",
  "moneroocean.stream",
  "moneroocean",
  "unmineable.com",
  "unmineable",
  "minexmr.com",
  "2miners.com",
  "c3pool.com",
  "c3pool.org",
  "herominers.com",
  "f2pool.com",
  "nicehash.com",
  "nicehash",
  "minergate.com",
  "xmrpool.eu",
  "xmrpool.net",
  "monerohash.com",
  "moneropool.com",
  "ethermine.org",
  "flexpool.io",
  "hiveon.net",
  "zpool.ca",
  "zergpool.com",
  "miningpoolhub.com",
  "kryptex.network",
  "woolypooly.com",
  "rplant.xyz",
  "gntl.co.uk",
  "p2pool.io",
  "xmrfast.com",
  "dwarfpool.com",
  "prohashing.com",
  "mining-dutch.nl",
  "viabtc.com",
  "antpool.com",
  "poolin.com",
  "slushpool.com",
  "braiins.com",
] as const;

/** Default ports of public pools (xmrig examples, supportxmr, nanopool, moneroocean, c3pool). */
export const MINING_PORTS = [3333, 4444, 5555, 6666, 7777, 10128, 10343, 14433, 14444, 20128, 45560, 45700] as const;

/** Distinctive enough to match inside other words (/tmp/.xmrig, xmrig-6.21.0-linux-static-x64.tar.gz). */
const UNMISTAKABLE_MINER_BINARIES = ["xmrig(?:-cuda|-opencl|-proxy|-notls)?"];
/** Shorter or more generic names: only as whole words, so "containerd" or "gminerals" do not match. */
const MINER_BINARIES = [
  "xmr-stak(?:-rx|-cpu)?",
  "minerd",
  "cpuminer(?:-multi|-opt|-gr)?",
  "ccminer",
  "ethminer",
  "nbminer",
  "lolminer",
  "phoenixminer",
  "teamredminer",
  "srbminer(?:-multi)?",
  "nanominer",
  "bzminer",
  "gminer",
  "xmr-node-proxy",
];

/** Proof-of-work algorithms a miner is pointed at; rarely written anywhere else. */
const MINING_ALGORITHMS =
  "rx/0|rx/wow|rx/arq|randomx|cryptonight(?:[-/][a-z0-9]+)?|cn/r|cn/half|kawpow|ethash|etchash|autolykos2?|ghostrider|argon2/chukwa";

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const POOL_DOMAIN_REGEX = new RegExp(
  // A pool's subdomains (xmr.nanopool.org) match too: the lookbehind lets a dot precede the domain.
  `(?<![a-z0-9-])(${[...POOL_DOMAINS]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|")})(?![a-z0-9-])`,
  "gi",
);

/** A DNS name with a top-level domain, or an IPv4 address (labels cannot contain dots: no backtracking blow-up). */
const HOST = "(?:(?:[a-z0-9-]+\\.)+[a-z]{2,63}|\\d{1,3}(?:\\.\\d{1,3}){3})";

const PATTERNS: Pattern[] = [
  {
    kind: "stratum-url",
    // stratum+tcp, stratum+ssl, stratum+tls, stratum1+tcp, stratum2+tcp.
    regex: /\bstratum[12]?\+(?:tcp|ssl|tls):\/\/[^\s"'<>`;|)]*/gi,
  },
  {
    kind: "miner-binary",
    regex: new RegExp(
      `${UNMISTAKABLE_MINER_BINARIES.join("|")}|(?<![a-z0-9])(?:${MINER_BINARIES.join("|")})(?![a-z0-9])`,
      "gi",
    ),
  },
  { kind: "miner-flag", regex: /(?<![\w-])--donate-level\b/gi },
  {
    kind: "miner-flag",
    regex: new RegExp(`(?<![\\w-])(?:--algo|-a)(?:[ \\t]+|=)["']?(${MINING_ALGORITHMS})(?![a-z0-9])`, "gi"),
    name: (m) => `--algo ${(m[1] ?? "").toLowerCase()}`,
  },
  {
    kind: "miner-flag",
    // A bare algorithm name, unless it is the value of --algo (reported once, by the pattern above).
    regex: new RegExp(`(?<![\\w/-])(?<!(?:--algo|-a)(?:[ \\t]+|=)["']?)(${MINING_ALGORITHMS})(?![a-z0-9/])`, "gi"),
  },
  {
    kind: "miner-flag",
    regex:
      /(?<![\w-])(?:--randomx-1gb-pages|--cpu-max-threads-hint|--max-cpu-usage|--cpu-priority|--nicehash|--coin[ \t=]+(?:monero|xmr))\b/gi,
  },
  {
    kind: "miner-flag",
    // A Monero wallet address: 95 (standard) or 106 (integrated) base58 characters starting with 4 or 8.
    regex:
      /(?<![1-9A-HJ-NP-Za-km-z])[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?(?![1-9A-HJ-NP-Za-km-z])/g,
    name: () => "monero-wallet-address",
  },
  { kind: "pool-domain", regex: POOL_DOMAIN_REGEX, name: (m) => (m[1] ?? m[0]).toLowerCase() },
  {
    kind: "mining-port",
    // Only as host:port; a bare number (version 3.3333, 10:33:33) never counts.
    regex: new RegExp(`(?<![a-z0-9.-])${HOST}:(${MINING_PORTS.join("|")})(?!\\d)`, "gi"),
    name: (m) => m[0].toLowerCase(),
  },
];

/** Indicators strong enough on their own: nothing but a miner writes them. */
const STRONG_ALONE = new Set(["--donate-level", "monero-wallet-address"]);

/** Finds miner indicators line by line; one match per distinct (line, kind, indicator). */
export function findMinerIndicators(text: string): IndicatorMatch[] {
  const matches: IndicatorMatch[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const seen = new Set<string>();
    for (const pattern of PATTERNS) {
      pattern.regex.lastIndex = 0;
      for (let m = pattern.regex.exec(rawLine); m !== null; m = pattern.regex.exec(rawLine)) {
        const indicator = pattern.name ? pattern.name(m) : m[0].toLowerCase();
        const key = `${pattern.kind} ${indicator}`;
        if (seen.has(key)) continue;
        seen.add(key);
        matches.push({
          lineNumber: index + 1,
          line: quoteLine(rawLine, 160, m[0]),
          // The indicator itself is quoted too (a stratum URL may carry user:password@).
          indicator: quoteLine(indicator, 120),
          kind: pattern.kind,
        });
      }
    }
  });
  return matches;
}

/**
 * How much a set of matches (from one text) says on its own: a stratum URL, a pool domain, a
 * miner-only flag, or a miner binary together with flags or a mining port is strong; a bare mining
 * port, a binary name alone (a cleanup script's `pkill xmrig`) or an algorithm name alone is weak.
 */
export function strength(matches: readonly IndicatorMatch[]): IndicatorStrength {
  if (matches.length === 0) return "none";
  const kinds = new Set(matches.map((m) => m.kind));
  if (kinds.has("stratum-url") || kinds.has("pool-domain")) return "strong";
  if (matches.some((m) => STRONG_ALONE.has(m.indicator))) return "strong";
  if (kinds.has("miner-binary") && (kinds.has("miner-flag") || kinds.has("mining-port"))) return "strong";
  return "weak";
}
