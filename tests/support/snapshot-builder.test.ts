import { describe, expect, it } from "vitest";
import { buildSnapshot, fleet, instance, instanceIdFor, ruleContext, WINDOW_END } from "./snapshot-builder.js";

describe("snapshot builder", () => {
  it("builds a valid snapshot whose profile learns from old instances", () => {
    const snapshot = buildSnapshot({ instances: [instance(), ...fleet(3, { region: "us-east-1" })] });
    expect(snapshot.instances.map((i) => i.instanceId)).toEqual([
      instanceIdFor(0),
      instanceIdFor(1),
      instanceIdFor(2),
      instanceIdFor(3),
    ]);
    expect(snapshot.instanceTypes["t3.medium"]?.vcpus).toBe(2);
    const context = ruleContext(snapshot);
    expect(context.now.toISOString()).toBe(WINDOW_END);
    expect(context.profile.homeRegions).toEqual(["eu-west-1", "us-east-1"]);
    expect(context.profile.knownFamilies).toEqual(["t3"]);
  });
});
