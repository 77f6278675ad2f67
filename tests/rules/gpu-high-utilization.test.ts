import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../lambda/core/config.js";
import type { AccountSnapshotInput, Series } from "../../lambda/core/snapshot.js";
import { gpuHighUtilization } from "../../lambda/rules/gpu-high-utilization.js";
import { flat, generateSeries, HOUR_MS, type Shape, switchAt } from "../support/series-gen.js";
import {
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  daysAgo,
  hoursAgo,
  type InstanceInput,
  instance,
  ruleContext,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const END = Date.parse(WINDOW_END);

function gpuCurve(shape: Shape, seed = 4): Series {
  return generateSeries({ start: daysAgo(2), hours: 48, shape, noise: 2, seed, periodSeconds: 300 });
}

/** Busy at `level` for the last `hours` of the window, idle before. */
const busyLast = (hours: number, level = 99): Shape => switchAt(END - hours * HOUR_MS, flat(0), flat(level));

function evaluate(
  overrides: Partial<InstanceInput>,
  metrics: { gpu?: Series; cpu?: Series; agent?: boolean } = {},
  partial: Partial<AccountSnapshotInput> = {},
  config: ConfigInput = {},
) {
  const snapshot = buildSnapshot({
    instances: [instance({ launchTime: hoursAgo(20), ...overrides })],
    metrics: {
      gpuAgentInstanceIds: metrics.agent ? [DEFAULT_INSTANCE_ID] : [],
      byInstance: {
        [DEFAULT_INSTANCE_ID]: {
          ...(metrics.gpu ? { gpu: metrics.gpu } : {}),
          ...(metrics.cpu ? { cpu: metrics.cpu } : {}),
        },
      },
    },
    ...partial,
  });
  return gpuHighUtilization.evaluate(snapshot, ruleContext(snapshot, config));
}

describe("MW-GPU-HIGH-UTILIZATION: sustained utilization from the CloudWatch agent", () => {
  it.each([
    { name: "8 GPUs of a p3.16xlarge pinned for 10 h", type: "p3.16xlarge", shape: busyLast(10), hours: 10, gpus: 8 },
    { name: "a g5.xlarge busy all window long", type: "g5.xlarge", shape: flat(97), hours: 24, gpus: 1 },
  ])("fires medium: $name", ({ type, shape, hours, gpus }) => {
    const signals = evaluate({ instanceType: type }, { gpu: gpuCurve(shape), agent: true });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.severity).toBe("medium");
    expect(signals[0]?.resource).toEqual({ type: "ec2-instance", id: DEFAULT_INSTANCE_ID, region: "eu-west-1" });
    expect(signals[0]?.details).toMatchObject({ hours, threshold: 80, instanceType: type, gpus });
    expect(signals[0]?.details?.mean).toBeGreaterThan(94);
    expect(signals[0]?.message).toContain(`for ${hours} h in a row`);
  });

  it.each([
    { name: "busy for only 4 h (a short training run)", shape: busyLast(4) },
    { name: "steady at 55 % (inference)", shape: flat(55) },
    { name: "busy for 8 h, but before the window", shape: switchAt(END - 40 * HOUR_MS, flat(99), flat(0)) },
  ])("stays quiet: $name", ({ shape }) => {
    expect(evaluate({ instanceType: "p3.2xlarge" }, { gpu: gpuCurve(shape), agent: true })).toEqual([]);
  });

  it("follows the configured threshold", () => {
    const gpu = gpuCurve(flat(70));
    expect(evaluate({ instanceType: "g4dn.xlarge" }, { gpu, agent: true })).toEqual([]);
    const signals = evaluate(
      { instanceType: "g4dn.xlarge" },
      { gpu, agent: true },
      {},
      { thresholds: { highGpuPercent: 60 } },
    );
    expect(signals.map((s) => s.details?.threshold)).toEqual([60]);
  });
});

describe("MW-GPU-HIGH-UTILIZATION: GPU instances nobody can observe", () => {
  it.each([
    { name: "a running p4d.24xlarge", overrides: { instanceType: "p4d.24xlarge" }, gpus: 8, model: "A100" },
    {
      name: "a spot g4dn.12xlarge",
      overrides: { instanceType: "g4dn.12xlarge", lifecycle: "spot" as const },
      gpus: 4,
      model: "T4",
    },
    {
      name: "a p3.2xlarge terminated after running in the window",
      overrides: { instanceType: "p3.2xlarge", state: "terminated" as const, launchTime: hoursAgo(10) },
      gpus: 1,
      model: "V100",
    },
  ])("low signal for $name without the agent metric", ({ overrides, gpus, model }) => {
    const signals = evaluate(overrides);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.severity).toBe("low");
    expect(signals[0]?.message).toContain("is unknown");
    expect(signals[0]?.message).toContain("CWAgent/nvidia_smi_utilization_gpu");
    expect(signals[0]?.details).toMatchObject({
      gpus,
      gpuModel: model,
      agentMetricFound: false,
      gpuNamespace: "CWAgent",
    });
  });

  it("counts a stopped GPU instance as active when it reported CPU in the window", () => {
    const cpu = generateSeries({ start: hoursAgo(24), hours: 24, shape: busyLast(6, 50), periodSeconds: 300 });
    const stopped = { instanceType: "g5.xlarge", state: "stopped" as const, launchTime: daysAgo(30) };
    expect(evaluate(stopped)).toEqual([]);
    expect(evaluate(stopped, { cpu }).map((s) => s.severity)).toEqual(["low"]);
  });

  it("falls back to the family when DescribeInstanceTypes was unreadable", () => {
    const signals = evaluate({ instanceType: "g6.xlarge" }, {}, { instanceTypes: {} });
    expect(signals.map((s) => s.details?.gpus)).toEqual([1]);
    expect(signals[0]?.details?.gpuModel).toBeNull();
  });

  it.each([
    { name: "a CPU-only instance", overrides: { instanceType: "c5.4xlarge" }, agent: false },
    {
      name: "an Inferentia instance (no NVIDIA GPU to report)",
      overrides: { instanceType: "inf2.xlarge" },
      agent: false,
    },
    {
      name: "a GPU instance whose agent reports but had no data in the window",
      overrides: { instanceType: "p3.2xlarge" },
      agent: true,
    },
    {
      name: "a GPU instance terminated long before the window",
      overrides: { instanceType: "p3.2xlarge", state: "terminated" as const, launchTime: daysAgo(10) },
      agent: false,
    },
  ])("not applicable: $name", ({ overrides, agent }) => {
    expect(evaluate(overrides, { agent })).toEqual([]);
  });
});
