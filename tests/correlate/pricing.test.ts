import { describe, expect, it } from "vitest";
import {
  estimateFleetCost,
  estimateHourlyPrice,
  hourlyPrice,
  hoursSinceLaunch,
  PRICING_SOURCE,
  pricedInstanceTypes,
  regionMultiplier,
} from "../../lambda/correlate/pricing.js";
import {
  buildSnapshot,
  fleet,
  hoursAgo,
  INSTANCE_TYPE_CATALOG,
  instance,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const NOW = new Date(WINDOW_END);

describe("hourlyPrice", () => {
  it.each([
    ["p3.16xlarge", "us-east-1", 24.48],
    ["c5.4xlarge", "us-east-1", 0.68],
    ["c5.4xlarge", "sa-east-1", 1.02],
    ["g4dn.xlarge", "eu-west-1", 0.5786],
    ["t3.micro", "ap-south-1", 0.0125],
  ])("%s in %s costs about $%d/h", (type, region, expected) => {
    expect(hourlyPrice(type, region)).toBeCloseTo(expected, 4);
  });

  it("covers the GPU and large-compute types miners use", () => {
    const types = pricedInstanceTypes();
    expect(types.length).toBeGreaterThanOrEqual(80);
    for (const type of [
      "p3.2xlarge",
      "p3dn.24xlarge",
      "p4d.24xlarge",
      "p5.48xlarge",
      "g5.48xlarge",
      "g6.xlarge",
      "c5a.24xlarge",
      "hpc6a.48xlarge",
      "x2idn.32xlarge",
      "g4dn.metal",
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it("prices every type of the test catalog except accelerators it cannot know", () => {
    const unpriced = Object.keys(INSTANCE_TYPE_CATALOG).filter((t) => hourlyPrice(t, "us-east-1") === undefined);
    expect(unpriced.sort()).toEqual(["inf2.xlarge", "trn1.32xlarge"]);
  });

  it("estimates an unknown type from its vCPUs and GPUs when the shape is known, and says so", () => {
    const shape = { vcpus: 48, memoryMiB: 196608, gpus: 4, accelerators: 0 };
    const estimate = estimateHourlyPrice("g9x.12xlarge", "us-east-1", shape);
    expect(estimate?.basis).toBe("shape");
    expect(estimate?.hourlyUsd).toBeCloseTo(48 * 0.045 + 4 * 1.5, 4);
    expect(hourlyPrice("g9x.12xlarge", "us-east-1")).toBeUndefined();
    expect(estimateHourlyPrice("c5.4xlarge", "us-east-1")?.basis).toBe("table");
  });

  it("applies regional multipliers and a default for unknown regions", () => {
    expect(regionMultiplier("us-east-1")).toBe(1);
    expect(regionMultiplier("sa-east-1")).toBe(1.5);
    expect(regionMultiplier("eu-north-1")).toBe(1.1);
    expect(regionMultiplier("ap-southeast-7")).toBe(1.2);
    expect(regionMultiplier("xx-new-1")).toBe(1.2);
  });

  it("labels the source as a dated estimate", () => {
    expect(PRICING_SOURCE).toMatch(/Estimate.*on-demand Linux.*us-east-1.*as of \d{4}-\d{2}/);
  });
});

describe("estimateFleetCost", () => {
  it("sums running instances and multiplies by hours since launch, uncapped by the window", () => {
    const snapshot = buildSnapshot({
      instances: [
        ...fleet(3, { region: "us-east-1", instanceType: "p3.16xlarge", launchTime: hoursAgo(10) }),
        // Launched 48 h ago: before the 24 h window, still counted from launch.
        instance({
          instanceId: "i-0000000000000000a",
          region: "sa-east-1",
          instanceType: "c5.4xlarge",
          launchTime: hoursAgo(48),
        }),
        // Stopped: not billed for compute, so not in the sums, but still priced per resource.
        instance({
          instanceId: "i-0000000000000000b",
          region: "us-east-1",
          instanceType: "p3.2xlarge",
          state: "stopped",
          launchTime: hoursAgo(5),
        }),
      ],
    });
    const cost = estimateFleetCost(snapshot.instances, snapshot.instanceTypes, NOW);
    expect(cost.hourlyUsd).toBeCloseTo(3 * 24.48 + 1.02, 2);
    expect(cost.soFarUsd).toBeCloseTo(3 * 24.48 * 10 + 1.02 * 48, 1);
    expect(cost.perInstanceHourlyUsd["i-0000000000000000b"]).toBeCloseTo(3.06, 4);
    expect(cost.unpricedInstanceIds).toEqual([]);
  });

  it("returns null when nothing running can be priced, and lists what was left out", () => {
    const snapshot = buildSnapshot({
      instances: [instance({ instanceType: "zz1.huge", launchTime: hoursAgo(3) })],
      instanceTypes: {},
    });
    const cost = estimateFleetCost(snapshot.instances, snapshot.instanceTypes, NOW);
    expect(cost.hourlyUsd).toBeNull();
    expect(cost.soFarUsd).toBeNull();
    expect(cost.unpricedInstanceIds).toEqual([snapshot.instances[0]?.instanceId]);
  });

  it("never counts negative hours for a launch after the reference time", () => {
    expect(hoursSinceLaunch("2026-03-10T07:00:00Z", NOW)).toBe(0);
    expect(hoursSinceLaunch(hoursAgo(2.5), NOW)).toBeCloseTo(2.5, 6);
  });
});
