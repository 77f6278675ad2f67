/**
 * The scale benchmark's simulated AWS: its rate limits and batching limits, that the real SDK
 * retries its throttling answers, and one small benchmark run through the real collectors whose
 * call counts must stay within 1.2x of the lower bound for the same data.
 */
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { generateAccount } from "../../scripts/bench/generate.js";
import { runBenchmark } from "../../scripts/bench/run.js";
import {
  AwsSimulator,
  RATE_LIMITS,
  SIM_GMD_MAX_POINTS,
  SIM_GMD_MAX_QUERIES,
  SimulatedAwsError,
  simulatedClientFactory,
  TokenBucket,
} from "../../scripts/bench/simulator.js";

const HOUR_MS = 3600 * 1000;

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 0;
  return { now: () => time, advance: (ms) => (time += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<SimulatedAwsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SimulatedAwsError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

function metricQueries(count: number): { Id: string; MetricStat: object }[] {
  return Array.from({ length: count }, (_, i) => ({
    Id: `q${i}`,
    MetricStat: {
      Metric: {
        Namespace: "AWS/EC2",
        MetricName: "CPUUtilization",
        Dimensions: [{ Name: "InstanceId", Value: "i-1" }],
      },
      Period: 3600,
      Stat: "Average",
    },
  }));
}

describe("TokenBucket", () => {
  it("grants its capacity at once, refuses beyond it, and refills at its rate", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 100, refillPerSecond: 20 }, clock.now);
    const granted = Array.from({ length: 101 }, () => bucket.tryTake());
    expect(granted.filter(Boolean)).toHaveLength(100);
    expect(granted[100]).toBe(false);

    clock.advance(49); // 0.98 of a token
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it("never holds more than its capacity, however long it idles", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 5 }, clock.now);
    clock.advance(3_600_000);
    const granted = Array.from({ length: 10 }, () => bucket.tryTake()).filter(Boolean);
    expect(granted).toHaveLength(5);
  });
});

describe("AwsSimulator", () => {
  const account = generateAccount(100);

  it.each([
    { what: "paginated DescribeInstances", input: { MaxResults: 1000 }, capacity: RATE_LIMITS.ec2NonMutating.capacity },
    { what: "unpaginated DescribeInstances", input: {}, capacity: RATE_LIMITS.ec2Unpaginated.capacity },
  ])("throttles $what per region beyond a bucket of $capacity", async ({ input, capacity }) => {
    const clock = manualClock();
    const simulator = new AwsSimulator({ account, latencyMs: 0, clock: clock.now });
    for (let i = 0; i < capacity; i += 1) {
      await simulator.handle("ec2", "us-east-1", "DescribeInstancesCommand", input);
    }
    const error = await rejection(simulator.handle("ec2", "us-east-1", "DescribeInstancesCommand", input));
    expect(error.name).toBe("RequestLimitExceeded");
    expect(error.$retryable).toEqual({ throttling: true });
    expect(error.$metadata.httpStatusCode).toBe(503);
    // Another region has its own bucket.
    await expect(simulator.handle("ec2", "eu-west-1", "DescribeInstancesCommand", input)).resolves.toBeDefined();
    expect(simulator.calls.get("ec2:DescribeInstances")).toEqual({ sent: capacity + 2, throttled: 1, rejected: 0 });
  });

  it.each([
    {
      service: "ce",
      command: "GetAnomaliesCommand",
      region: "us-east-1",
      perSecond: 5,
      name: "LimitExceededException",
    },
    {
      service: "cloudtrail",
      command: "LookupEventsCommand",
      region: "eu-west-1",
      perSecond: 2,
      name: "ThrottlingException",
    },
  ])("limits $service $command to $perSecond per second", async ({ service, command, region, perSecond, name }) => {
    const clock = manualClock();
    const simulator = new AwsSimulator({ account, latencyMs: 0, clock: clock.now });
    const input = { DateInterval: { StartDate: "2026-03-01", EndDate: "2026-03-10" } };
    for (let i = 0; i < perSecond; i += 1) await simulator.handle(service, region, command, input);
    expect((await rejection(simulator.handle(service, region, command, input))).name).toBe(name);
    clock.advance(1000);
    for (let i = 0; i < perSecond; i += 1) await simulator.handle(service, region, command, input);
    expect((await rejection(simulator.handle(service, region, command, input))).name).toBe(name);
  });

  describe("GetMetricData batching limits", () => {
    const start = new Date("2026-02-23T06:00:00Z");
    const hours = (n: number) => ({ StartTime: start, EndTime: new Date(start.getTime() + n * HOUR_MS) });

    it.each([
      { queries: SIM_GMD_MAX_QUERIES, points: 201, ok: true },
      { queries: SIM_GMD_MAX_QUERIES + 1, points: 1, ok: false },
      { queries: 280, points: 360, ok: true },
      { queries: 281, points: 360, ok: false },
    ])("$queries queries of $points points: accepted $ok", async ({ queries, points, ok }) => {
      const simulator = new AwsSimulator({ account, latencyMs: 0 });
      const call = simulator.handle("cloudwatch", "us-east-1", "GetMetricDataCommand", {
        MetricDataQueries: metricQueries(queries),
        ...hours(points),
      });
      if (ok) {
        await expect(call).resolves.toHaveProperty("MetricDataResults");
        expect(simulator.metricsRequested).toBe(queries);
        expect(queries * points).toBeLessThanOrEqual(SIM_GMD_MAX_POINTS);
      } else {
        const error = await rejection(call);
        expect(error.name).toBe("ValidationError");
        expect(error.$retryable).toBeUndefined();
        // A refused call is not billed.
        expect(simulator.metricsRequested).toBe(0);
        expect(simulator.calls.get("cloudwatch:GetMetricData")?.rejected).toBe(1);
      }
    });
  });

  it("is retried by the real SDK client when it throttles (adaptive retry, as in production)", async () => {
    const simulator = new AwsSimulator({
      account,
      latencyMs: 0,
      limits: { lookupEvents: { capacity: 1, refillPerSecond: 4 } },
    });
    const cloudTrail = simulatedClientFactory(simulator).cloudTrail("eu-west-1");
    const answers = await Promise.all(
      [1, 2, 3].map(() => cloudTrail.send(new LookupEventsCommand({ MaxResults: 50 }))),
    );
    expect(answers).toHaveLength(3);
    const count = simulator.calls.get("cloudtrail:LookupEvents");
    expect(count?.throttled).toBeGreaterThan(0);
    expect((count?.sent ?? 0) - (count?.throttled ?? 0)).toBe(3);
    expect(answers.some((a) => (a.$metadata.attempts ?? 1) > 1)).toBe(true);
  });

  it("answers DescribeInstances from the generated account, page by page", async () => {
    const simulator = new AwsSimulator({ account, latencyMs: 0 });
    const ec2 = simulatedClientFactory(simulator).ec2("us-east-1");
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const ids = (first.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId));
    const expected = (account.byRegion.get("us-east-1") ?? []).slice(0, 5).map((i) => i.instanceId);
    expect(ids).toEqual(expected);
    expect(first.NextToken).toBe("5");
  });
});

describe("the scale benchmark at 100 instances", () => {
  it("reads the account through the real collectors within 1.2x of the lower bound of calls", async () => {
    // Section collectors (CloudTrail is paced at 2 calls/s by design) are left out to keep this fast;
    // the EC2, CloudWatch and Cost Explorer collectors are the ones with a derived lower bound.
    const result = await runBenchmark({ instances: 100, latencyMs: 0, sections: [] });

    expect(result.totalLowerBound).toBeGreaterThan(0);
    expect(result.ratio).toBeLessThanOrEqual(1.2);
    for (const action of result.actions) {
      expect(action.lowerBound, action.action).toBeDefined();
      // A lower bound the collectors beat would be a wrong bound (or lost data).
      expect(action.sent - action.throttled, action.action).toBeGreaterThanOrEqual(action.lowerBound ?? 0);
      expect(action.sent, action.action).toBeLessThanOrEqual(Math.ceil((action.lowerBound ?? 0) * 1.2));
    }
    const byAction = new Map(result.actions.map((a) => [a.action, a]));
    // 17 regions: one DescribeInstances page and one GetMetricData call each.
    expect(byAction.get("ec2:DescribeInstances")?.lowerBound).toBe(17);
    expect(byAction.get("cloudwatch:GetMetricData")?.sent).toBe(17);
    // Every instance of the leaked-key wave ends up in a finding.
    expect(result.waveInstancesFound).toBe(result.waveInstances);
    expect(result.charge.metricsRequested).toBeLessThan(3 * 100);
  });
});
