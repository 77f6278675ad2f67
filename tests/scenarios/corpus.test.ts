/**
 * Generated corpus scenarios: each snapshot.json is exactly what its generator writes (regenerate
 * with `npx tsx scripts/scenarios/<name>.ts`), stays small, and stores secrets redacted. The
 * verdicts themselves are checked by the detection benchmark (tests/bench/detection.test.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import { build as batchAndParallelcluster } from "../../scripts/scenarios/batch-and-parallelcluster.js";
import { build as blockchainNodeAllowlisted } from "../../scripts/scenarios/blockchain-node-allowlisted.js";
import { build as ciRunnerBurst } from "../../scripts/scenarios/ci-runner-burst.js";
import { build as costAnomalyHiddenRegion } from "../../scripts/scenarios/cost-anomaly-hidden-region.js";
import { build as databaseSteadyCpu } from "../../scripts/scenarios/database-steady-cpu.js";
import { build as expiredAllowlistGpu } from "../../scripts/scenarios/expired-allowlist-gpu.js";
import { build as gpuAgentFullLoad } from "../../scripts/scenarios/gpu-agent-full-load.js";
import { build as gpuNoAgent } from "../../scripts/scenarios/gpu-no-agent.js";
import { build as halfRegionsNotOptedIn } from "../../scripts/scenarios/half-regions-not-opted-in.js";
import { build as lambdaMiner } from "../../scripts/scenarios/lambda-miner.js";
import { build as leakedKeyEveryRegion } from "../../scripts/scenarios/leaked-key-every-region.js";
import { build as loadTest } from "../../scripts/scenarios/load-test.js";
import { build as mlTrainingP4d } from "../../scripts/scenarios/ml-training-p4d.js";
import { build as monthEndBatch } from "../../scripts/scenarios/month-end-batch.js";
import { build as newPrincipalHomeRegion } from "../../scripts/scenarios/new-principal-home-region.js";
import { build as newRegionRollout } from "../../scripts/scenarios/new-region-rollout.js";
import { build as oneRegionC54xlarge } from "../../scripts/scenarios/one-region-c5-4xlarge.js";
import { build as quotaProbingThenLaunch } from "../../scripts/scenarios/quota-probing-then-launch.js";
import { build as renderFarmG5Night } from "../../scripts/scenarios/render-farm-g5-night.js";
import { build as slowRampTwoWeeks } from "../../scripts/scenarios/slow-ramp-two-weeks.js";
import { build as spotFleetRelaunch } from "../../scripts/scenarios/spot-fleet-relaunch.js";
import { build as teslaCappedK8sNodes } from "../../scripts/scenarios/tesla-capped-k8s-nodes.js";
import { build as userdataXmrigT3 } from "../../scripts/scenarios/userdata-xmrig-t3.js";
import { loadScenario, SCENARIOS_DIR } from "../support/scenarios.js";

const GENERATED: [string, () => unknown][] = [
  ["batch-and-parallelcluster", batchAndParallelcluster],
  ["blockchain-node-allowlisted", blockchainNodeAllowlisted],
  ["ci-runner-burst", ciRunnerBurst],
  ["cost-anomaly-hidden-region", costAnomalyHiddenRegion],
  ["database-steady-cpu", databaseSteadyCpu],
  ["expired-allowlist-gpu", expiredAllowlistGpu],
  ["gpu-agent-full-load", gpuAgentFullLoad],
  ["gpu-no-agent", gpuNoAgent],
  ["half-regions-not-opted-in", halfRegionsNotOptedIn],
  ["lambda-miner", lambdaMiner],
  ["leaked-key-every-region", leakedKeyEveryRegion],
  ["load-test", loadTest],
  ["ml-training-p4d", mlTrainingP4d],
  ["month-end-batch", monthEndBatch],
  ["new-principal-home-region", newPrincipalHomeRegion],
  ["new-region-rollout", newRegionRollout],
  ["one-region-c5-4xlarge", oneRegionC54xlarge],
  ["quota-probing-then-launch", quotaProbingThenLaunch],
  ["render-farm-g5-night", renderFarmG5Night],
  ["slow-ramp-two-weeks", slowRampTwoWeeks],
  ["spot-fleet-relaunch", spotFleetRelaunch],
  ["tesla-capped-k8s-nodes", teslaCappedK8sNodes],
  ["userdata-xmrig-t3", userdataXmrigT3],
];

describe.each(GENERATED)("scenario %s", (name, build) => {
  it("is what its generator produces, and stays under 2 MB", async () => {
    const scenario = await loadScenario(name);
    expect(JSON.parse(JSON.stringify(build()))).toEqual(scenario.snapshot);
    expect(statSync(join(SCENARIOS_DIR, name, "snapshot.json")).size).toBeLessThan(2 * 1024 * 1024);
  });
});

describe("scenario details the verdict format cannot express", () => {
  it("expired-allowlist-gpu: the expired entry is listed as expired and suppresses nothing", async () => {
    const scenario = await loadScenario("expired-allowlist-gpu");
    const report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date("2026-11-24T16:05:00Z") });
    expect(report.expiredAllowlistEntries).toEqual([
      expect.objectContaining({ allowlistIndex: 0, expires: "2026-10-31" }),
    ]);
    expect(report.suppressed).toEqual([]);
  });

  it("userdata-xmrig-t3: the stolen key in the user data is stored redacted", () => {
    const text = readFileSync(join(SCENARIOS_DIR, "userdata-xmrig-t3", "snapshot.json"), "utf8");
    expect(text).not.toContain("AKIA5SCENARIOXMRIGT3Q");
    expect(text).toContain("pool.hashvault.pro");
  });

  it("half-regions-not-opted-in: opt-in regions are not audited, and that is no gap", async () => {
    const scenario = await loadScenario("half-regions-not-opted-in");
    const report = auditSnapshot(scenario.snapshot, scenario.config, { generatedAt: new Date("2026-11-25T05:05:00Z") });
    expect(report.coverage.regionsNotAudited).toHaveLength(14);
    expect(report.coverage.complete).toBe(true);
    expect(report.findings).toEqual([]);
  });
});
