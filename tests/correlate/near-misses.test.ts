/**
 * The report's near-miss list: closest first, linked to the finding its resource is part of,
 * without what the allowlist declares intended, and capped with a count of the rest.
 */
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../lambda/core/config.js";
import { MAX_NEAR_MISSES, reportNearMisses } from "../../lambda/correlate/near-misses.js";
import type { Finding } from "../../lambda/report/model.js";
import type { NearMiss } from "../../lambda/rules/types.js";
import { buildSnapshot, instance, instanceIdFor, WINDOW_END } from "../support/snapshot-builder.js";

const NOW = new Date(WINDOW_END);

function nearMiss(instanceId: string, closeness: number, ruleId = "MW-CPU-SUSTAINED-HIGH"): NearMiss {
  return {
    ruleId,
    resource: { type: "ec2-instance", id: instanceId, region: "eu-west-1" },
    message: `almost (${closeness})`,
    closeness,
    details: { hours: 4 },
  };
}

const finding = (id: string, instanceId: string): Finding => ({
  id,
  severity: "high",
  confidence: 0.7,
  title: "t",
  summary: "s",
  accountId: "123456789012",
  region: "eu-west-1",
  regions: ["eu-west-1"],
  resources: [{ type: "ec2-instance", id: instanceId, region: "eu-west-1" }],
  rules: ["MW-EC2-UNUSUAL-TYPE"],
  evidence: [],
  estimatedHourlyCostUsd: null,
  estimatedCostSoFarUsd: null,
  containment: [],
});

describe("reportNearMisses", () => {
  const [a, b, c] = [instanceIdFor(1), instanceIdFor(2), instanceIdFor(3)];
  const snapshot = buildSnapshot({
    instances: [a, b, c].map((instanceId) => instance({ instanceId, region: "eu-west-1", tags: { team: instanceId } })),
  });

  it("lists the closest first, with the resource as type:id and the finding it belongs to", () => {
    const result = reportNearMisses(
      [nearMiss(a, 0.5), nearMiss(b, 0.9), nearMiss(c, 0.7, "MW-CPU-FLAT-SHIFT")],
      [finding("mw-1", b)],
      snapshot,
      ConfigSchema.parse({}),
      NOW,
    );
    expect(result.nearMissesNotListed).toBe(0);
    expect(result.nearMisses.map((m) => [m.resource, m.closeness, m.findingId])).toEqual([
      [`ec2-instance:${b}`, 0.9, "mw-1"],
      [`ec2-instance:${c}`, 0.7, undefined],
      [`ec2-instance:${a}`, 0.5, undefined],
    ]);
    expect(result.nearMisses[0]).toMatchObject({ region: "eu-west-1", message: "almost (0.9)", details: { hours: 4 } });
  });

  it("leaves out what a live allowlist entry covers, and keeps it once the entry expired", () => {
    const entry = { reason: "the load-test team's generator", tag: { key: "team", value: a } };
    const live = reportNearMisses(
      [nearMiss(a, 0.6), nearMiss(b, 0.6)],
      [],
      snapshot,
      ConfigSchema.parse({ allowlist: [entry] }),
      NOW,
    );
    expect(live.nearMisses.map((m) => m.resource)).toEqual([`ec2-instance:${b}`]);
    const expired = ConfigSchema.parse({ allowlist: [{ ...entry, expires: "2020-01-01" }] });
    expect(reportNearMisses([nearMiss(a, 0.6)], [], snapshot, expired, NOW).nearMisses).toHaveLength(1);
  });

  it(`lists at most ${MAX_NEAR_MISSES} and counts the rest`, () => {
    const many = Array.from({ length: MAX_NEAR_MISSES + 7 }, (_, k) => nearMiss(`i-${k}`, (k % 90) / 100));
    const result = reportNearMisses(many, [], snapshot, ConfigSchema.parse({}), NOW);
    expect(result.nearMisses).toHaveLength(MAX_NEAR_MISSES);
    expect(result.nearMissesNotListed).toBe(7);
    expect(result.nearMisses[0]?.closeness).toBe(0.89);
  });
});
