import { describe, expect, it } from "vitest";
import {
  findMinerIndicators,
  type IndicatorKind,
  type IndicatorMatch,
  strength,
} from "../../lambda/rules/lib/miner-indicators.js";

const WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";

const kindsOf = (matches: IndicatorMatch[]): IndicatorKind[] => [...new Set(matches.map((m) => m.kind))].sort();
const indicatorsOf = (matches: IndicatorMatch[]): string[] => matches.map((m) => m.indicator);

describe("findMinerIndicators: what it finds", () => {
  const cases: { name: string; line: string; kind: IndicatorKind; indicator: string }[] = [
    {
      name: "stratum+tcp URL",
      line: "./xmrig -o stratum+tcp://pool.supportxmr.com:443",
      kind: "stratum-url",
      indicator: "stratum+tcp://pool.supportxmr.com:443",
    },
    {
      name: "stratum+ssl URL",
      line: "url=stratum+ssl://gulf.moneroocean.stream:20128",
      kind: "stratum-url",
      indicator: "stratum+ssl://gulf.moneroocean.stream:20128",
    },
    {
      name: "stratum2+tcp URL",
      line: '"url": "stratum2+tcp://203.0.113.7:3333",',
      kind: "stratum-url",
      indicator: "stratum2+tcp://203.0.113.7:3333",
    },
    {
      name: "xmrig release tarball",
      line: "wget -q https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz",
      kind: "miner-binary",
      indicator: "xmrig",
    },
    {
      name: "xmrig hidden in a dot directory",
      line: "cp config.json /tmp/.xmrigd/",
      kind: "miner-binary",
      indicator: "xmrig",
    },
    { name: "xmr-stak", line: "./xmr-stak-rx --noTest", kind: "miner-binary", indicator: "xmr-stak-rx" },
    { name: "minerd", line: "nohup ./minerd -t 8 &", kind: "miner-binary", indicator: "minerd" },
    {
      name: "cpuminer-multi",
      line: "git clone https://github.com/tpruvot/cpuminer-multi",
      kind: "miner-binary",
      indicator: "cpuminer-multi",
    },
    { name: "--donate-level", line: "./x --donate-level=1", kind: "miner-flag", indicator: "--donate-level" },
    { name: "--algo rx/0", line: "./x --algo rx/0 --threads 16", kind: "miner-flag", indicator: "--algo rx/0" },
    { name: "-a cryptonight", line: "./x -a cryptonight -t 4", kind: "miner-flag", indicator: "--algo cryptonight" },
    {
      name: "randomx in a config",
      line: '"randomx": { "1gb-pages": true },',
      kind: "miner-flag",
      indicator: "randomx",
    },
    { name: "Monero wallet", line: `-u ${WALLET}`, kind: "miner-flag", indicator: "monero-wallet-address" },
    {
      name: "pool domain in a URL",
      line: "curl -s https://xmr.nanopool.org/api/v1/balance",
      kind: "pool-domain",
      indicator: "nanopool.org",
    },
    { name: "hashvault", line: "POOL=pool.hashvault.pro:80", kind: "pool-domain", indicator: "hashvault.pro" },
    { name: "unmineable brand", line: "# mining rvn via unmineable", kind: "pool-domain", indicator: "unmineable" },
    {
      name: "c3pool",
      line: "curl -s -L http://download.c3pool.org/xmrig_setup/raw/master/setup_c3pool_miner.sh",
      kind: "pool-domain",
      indicator: "c3pool.org",
    },
    { name: "2miners", line: "host=xmr.2miners.com", kind: "pool-domain", indicator: "2miners.com" },
    { name: "host:3333", line: "nc -z mine.example.net:3333", kind: "mining-port", indicator: "mine.example.net:3333" },
    {
      name: "IP:45700",
      line: "socat TCP:198.51.100.23:45700 -",
      kind: "mining-port",
      indicator: "198.51.100.23:45700",
    },
  ];

  it.each(cases)("$name", ({ line, kind, indicator }) => {
    const matches = findMinerIndicators(`#!/bin/bash\n${line}\n`);
    expect(matches).toContainEqual(expect.objectContaining({ kind, indicator, lineNumber: 2 }));
  });

  it("reports every kind on a full miner command line, once each, with the line quoted", () => {
    const line = `./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u ${WALLET} -p worker1 --donate-level 1 --algo rx/0`;
    const matches = findMinerIndicators(line);
    expect(kindsOf(matches)).toEqual(["miner-binary", "miner-flag", "mining-port", "pool-domain", "stratum-url"]);
    expect(indicatorsOf(matches)).toEqual(
      expect.arrayContaining(["xmrig", "--donate-level", "--algo rx/0", "supportxmr.com", "pool.supportxmr.com:3333"]),
    );
    // --algo rx/0 is reported once, not again as a bare algorithm name.
    expect(indicatorsOf(matches)).not.toContain("rx/0");
    expect(new Set(indicatorsOf(matches)).size).toBe(matches.length);
    for (const match of matches) {
      expect(match.lineNumber).toBe(1);
      expect(match.line.length).toBeLessThanOrEqual(160);
    }
  });
});

describe("findMinerIndicators: what it leaves alone", () => {
  const benign = [
    "echo 'installing version 3.3333 of the agent'",
    "date -d '2026-03-10 10:33:33'",
    "docker run -d -p 3333:3333 grafana/grafana",
    "EXPOSE 4444",
    "systemctl restart containerd",
    "pip install torch==2.3.0 --index-url https://download.pytorch.org/whl/cu121",
    "aws s3 cp s3://ml-datasets/imagenet/ /data/ --recursive",
    "zpool create tank /dev/nvme1n1",
    'curl -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"',
    "retry after 5555 ms",
  ];
  it.each(benign)("%s", (line) => {
    expect(findMinerIndicators(line)).toEqual([]);
  });

  it("returns nothing for empty text", () => {
    expect(findMinerIndicators("")).toEqual([]);
  });
});

describe("findMinerIndicators: quoting", () => {
  it("redacts secrets on a matched line, in the line and in the indicator", () => {
    const [match] = findMinerIndicators(
      "./xmrig -o stratum+tcp://wallet:VerySecretPoolPass1@pool.example.org:3333 --password=AnotherLongSecretValue",
    ).filter((m) => m.kind === "stratum-url");
    expect(match?.line).not.toContain("VerySecretPoolPass1");
    expect(match?.line).not.toContain("AnotherLongSecretValue");
    expect(match?.indicator).toBe("stratum+tcp://wallet:[REDACTED]@pool.example.org:3333");
  });

  it("numbers lines from 1 and handles CRLF", () => {
    const matches = findMinerIndicators("#!/bin/sh\r\nset -e\r\n./minerd -o stratum+tcp://203.0.113.5:3333\r\n");
    expect(new Set(matches.map((m) => m.lineNumber))).toEqual(new Set([3]));
  });
});

describe("strength", () => {
  const cases: { name: string; text: string; expected: ReturnType<typeof strength> }[] = [
    { name: "nothing", text: "#!/bin/bash\nyum update -y", expected: "none" },
    { name: "stratum URL alone", text: "stratum+tcp://203.0.113.5:80", expected: "strong" },
    { name: "pool domain alone", text: "curl https://api.moneroocean.stream/miner", expected: "strong" },
    { name: "miner binary with flags", text: "./xmrig --algo rx/0 -t 16", expected: "strong" },
    { name: "miner binary with a mining port", text: "./minerd -o 198.51.100.23:4444", expected: "strong" },
    { name: "--donate-level alone", text: "./svc --donate-level 1", expected: "strong" },
    { name: "Monero wallet alone", text: `WALLET=${WALLET}`, expected: "strong" },
    { name: "a bare mining port", text: "nc 198.51.100.23:7777", expected: "weak" },
    { name: "a binary name alone (cleanup script)", text: "pkill -9 xmrig || true", expected: "weak" },
    { name: "an algorithm name alone", text: "# benchmark randomx", expected: "weak" },
  ];
  it.each(cases)("$name -> $expected", ({ text, expected }) => {
    expect(strength(findMinerIndicators(text))).toBe(expected);
  });
});

describe("findMinerIndicators on hostile input", () => {
  // Task definitions and user data are attacker-controlled: no input may stall the audit (ReDoS).
  it.each([
    ["dotted labels", "a.".repeat(50_000)],
    ["dotted digits", "1.".repeat(50_000)],
    ["ip:port runs", "1.1.1.1:".repeat(15_000)],
    ["base58 run", "4".repeat(100_000)],
  ])("stays linear on %s", (_name, text) => {
    const started = performance.now();
    findMinerIndicators(text);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
