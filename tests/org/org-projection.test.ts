import { describe, expect, it } from "vitest";
import { PRICES, projectOrganization } from "../../scripts/bench/org-projection.js";

describe("organization projection", () => {
  it("runs the audits in waves of the Map's concurrency, capped at 40 for an inline Map", () => {
    expect(projectOrganization({ accounts: 500, concurrency: 50 }).waves).toBe(10);
    expect(projectOrganization({ accounts: 500, concurrency: 100 }).waves).toBe(5);
    expect(projectOrganization({ accounts: 500, concurrency: 100, mode: "inline" }).waves).toBe(13);
    const faster = projectOrganization({ concurrency: 100 });
    const slower = projectOrganization({ concurrency: 50 });
    expect(slower.wallSeconds - faster.wallSeconds).toBe(5 * (21 + 1));
  });

  it("prices Step Functions from state transitions: one per account inline, one more per child execution when distributed", () => {
    const none = { retryShare: 0, failureShare: 0 };
    const inline = projectOrganization({ accounts: 1000, mode: "inline", ...none });
    const distributed = projectOrganization({ accounts: 1000, mode: "distributed", ...none });
    expect(inline.stateTransitions).toBe(3 + 1000);
    expect(distributed.stateTransitions).toBe(3 + 2000);
    expect(distributed.costs.stepFunctionsUsd).toBeCloseTo(2003 * PRICES.stateTransitionUsd, 4);
  });

  it("reads Cost Explorer once for the organization: a few pages instead of 4 requests per account", () => {
    const p = projectOrganization({ accounts: 500 });
    expect(p.costExplorerRequests).toBeLessThan(500 * 4);
    expect(p.costExplorerPerAccountUsd).toBe(20);
    expect(p.costs.totalUsd).toBeCloseTo(
      p.costs.stepFunctionsUsd + p.costs.lambdaUsd + p.costs.costExplorerUsd + p.costs.s3Usd + p.costs.memberApiUsd,
      3,
    );
  });
});
