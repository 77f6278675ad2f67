import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  collectCloudTrail,
  EVENT_HISTORY_DAYS,
  IAM_EVENT_NAMES,
  LOOKBACK_MARGIN_DAYS,
  LOOKUP_PAGE_SIZE,
  lookupPeriod,
  normalizeEvent,
  REGIONAL_EVENT_NAMES,
} from "../../lambda/collect/cloudtrail.js";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import { createRateLimiter } from "../../lambda/collect/rate-limit.js";
import type { SectionContext } from "../../lambda/collect/sections.js";
import { ConfigSchema } from "../../lambda/core/config.js";
import type { CloudTrail } from "../../lambda/core/sections/cloudtrail.js";
import {
  assumedRoleIdentity,
  dryRunInstances,
  iamUserIdentity,
  lookupEvent,
  quotaIncrease,
  runInstances,
  type TrailRecord,
} from "../support/cloudtrail-events.js";
import { fakeClientFactory } from "../support/fake-clients.js";

const WINDOW_END = new Date("2026-03-10T06:00:00.000Z");
const WINDOW = { start: new Date(WINDOW_END.getTime() - 24 * 3600 * 1000), end: WINDOW_END };
const DAY = 24 * 3600 * 1000;
const NOW = new Date(WINDOW_END.getTime() + 3 * 60 * 1000);

type Stub = AwsClientStub<CloudTrailClient>;

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

function page(records: TrailRecord[], nextToken?: string): LookupEventsCommandOutput {
  return { $metadata: {}, Events: records.map(lookupEvent), ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** One mocked client per region, so calls can be told apart by region. */
function setup(regions: string[]) {
  const stubs = new Map<string, Stub>();
  const clients = new Map<string, CloudTrailClient>();
  for (const region of [...new Set([...regions, "us-east-1"])]) {
    const client = new CloudTrailClient({ region });
    clients.set(region, client);
    const stub = mockClient(client);
    stub.on(LookupEventsCommand).resolves(page([]));
    stubs.set(region, stub);
  }
  const coverage = new CoverageRecorder();
  const context: SectionContext = {
    clients: fakeClientFactory({
      cloudTrail: (region: string) => {
        const client = clients.get(region);
        if (!client) throw new Error(`unexpected CloudTrail call in ${region}`);
        return client;
      },
    }),
    config: ConfigSchema.parse({}),
    window: WINDOW,
    accountId: "123456789012",
    regions,
    instances: [],
    coverage,
    progress: () => {},
  };
  const stub = (region: string): Stub => {
    const found = stubs.get(region);
    if (!found) throw new Error(region);
    return found;
  };
  return { context, coverage, stub };
}

function calls(stub: Stub): LookupEventsCommandInput[] {
  return stub.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
}

function eventNameOf(input: LookupEventsCommandInput): string | undefined {
  return input.LookupAttributes?.[0]?.AttributeValue;
}

/** Runs the collector under fake timers: the rate limiter's waits pass instantly, in order. */
async function run(context: SectionContext, options: { maxPagesPerEventName?: number } = {}): Promise<CloudTrail> {
  const done = collectCloudTrail(context, options);
  await vi.runAllTimersAsync();
  return done;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("CloudTrail collector: what it asks", () => {
  it("looks up every event name with exactly one attribute per call, in every region, IAM names only in us-east-1", async () => {
    const { context, stub } = setup(["us-east-1", "eu-west-1"]);
    await run(context);

    for (const region of ["us-east-1", "eu-west-1"]) {
      const inputs = calls(stub(region));
      for (const input of inputs) {
        expect(input.LookupAttributes).toHaveLength(1);
        expect(input.LookupAttributes?.[0]?.AttributeKey).toBe("EventName");
        expect(input.MaxResults).toBe(LOOKUP_PAGE_SIZE);
        expect(input.EndTime).toEqual(WINDOW_END);
        expect(input.StartTime).toEqual(new Date(WINDOW.start.getTime() - LOOKBACK_MARGIN_DAYS * DAY));
      }
      const names = inputs.map(eventNameOf);
      expect(names).toEqual(expect.arrayContaining([...REGIONAL_EVENT_NAMES]));
      const iamNames = names.filter((n) => (IAM_EVENT_NAMES as readonly (string | undefined)[]).includes(n));
      expect(iamNames, region).toEqual(region === "us-east-1" ? [...IAM_EVENT_NAMES] : []);
    }
    // Lambda's event names carry the API version in CloudTrail.
    expect(calls(stub("eu-west-1")).map(eventNameOf)).toEqual(
      expect.arrayContaining(["CreateFunction20150331", "UpdateFunctionCode20150331v2"]),
    );
  });

  it("reads IAM events in us-east-1 even when us-east-1 is not an audited region", async () => {
    const { context, stub } = setup(["eu-west-1"]);
    await run(context);
    expect(calls(stub("us-east-1")).map(eventNameOf)).toEqual([...IAM_EVENT_NAMES]);
    expect(calls(stub("eu-west-1")).map(eventNameOf)).toEqual([...REGIONAL_EVENT_NAMES]);
  });

  it("follows NextToken until the last page and keeps every event", async () => {
    const { context, stub } = setup(["eu-west-1"]);
    const identity = iamUserIdentity("deploy", "AKIA4EXAMPLEDEPLOY01");
    const first = runInstances({
      identity,
      time: "2026-03-10T01:00:00Z",
      region: "eu-west-1",
      instanceIds: ["i-0aaa000000000001a"],
    });
    const second = runInstances({
      identity,
      time: "2026-03-09T23:00:00Z",
      region: "eu-west-1",
      instanceIds: ["i-0aaa000000000002a"],
    });
    stub("eu-west-1")
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunInstances" }] })
      .callsFake((input: LookupEventsCommandInput) =>
        input.NextToken === "page-2" ? page([second]) : page([first], "page-2"),
      );

    const trail = await run(context);
    const runCalls = calls(stub("eu-west-1")).filter((c) => eventNameOf(c) === "RunInstances");
    expect(runCalls.map((c) => c.NextToken)).toEqual([undefined, "page-2"]);
    expect(trail.events.map((e) => e.resources.map((r) => r.id))).toEqual([
      ["i-0aaa000000000002a"],
      ["i-0aaa000000000001a"],
    ]);
    expect(trail.truncated).toEqual([]);
    expect(trail.regionsRead).toEqual(["eu-west-1"]);
  });

  it("stops at the page limit and says so: partial coverage and a truncated entry with the oldest event read", async () => {
    const { context, coverage, stub } = setup(["eu-west-1"]);
    const identity = iamUserIdentity("ci", "AKIA4EXAMPLECIUSER01");
    let n = 0;
    stub("eu-west-1")
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunInstances" }] })
      .callsFake(() => {
        n += 1;
        const time = new Date(WINDOW_END.getTime() - n * 3600 * 1000).toISOString();
        return page(
          [runInstances({ identity, time, region: "eu-west-1", instanceIds: [`i-0bbb00000000000${n}a`] })],
          `t${n}`,
        );
      });

    const trail = await run(context, { maxPagesPerEventName: 3 });
    expect(n).toBe(3);
    expect(trail.truncated).toEqual([
      { region: "eu-west-1", eventName: "RunInstances", oldestEventTime: "2026-03-10T03:00:00.000Z" },
    ]);
    const entry = coverage.entries.find((e) => e.region === "eu-west-1" && e.status === "partial");
    expect(entry?.message).toContain("3-page limit for RunInstances");
  });
});

describe("CloudTrail collector: rate limit", () => {
  it("starts no more than 2 calls per second per region, and runs regions side by side", async () => {
    const regions = ["us-east-1", "eu-west-1", "ap-southeast-1"];
    const { context, stub } = setup(regions);
    const starts = new Map<string, number[]>();
    for (const region of regions) {
      stub(region)
        .on(LookupEventsCommand)
        .callsFake(() => {
          starts.set(region, [...(starts.get(region) ?? []), Date.now()]);
          return page([]);
        });
    }
    const began = Date.now();
    await run(context);

    for (const region of regions) {
      const times = starts.get(region) ?? [];
      expect(times.length).toBeGreaterThan(REGIONAL_EVENT_NAMES.length - 1);
      for (const t of times) {
        const inSecond = times.filter((u) => u >= t && u < t + 1000).length;
        expect(inSecond, `${region} at ${t - began} ms`).toBeLessThanOrEqual(2);
      }
    }
    // Regions are paced independently: the whole run takes as long as the busiest region, not the sum.
    const busiest = Math.max(...regions.map((r) => starts.get(r)?.length ?? 0));
    const last = Math.max(...[...starts.values()].flat());
    expect(last - began).toBeLessThan(busiest * 500);
  });

  it("paces through an injected clock: slots 500 ms apart at 2 per second", async () => {
    let now = 0;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        // Records when the sleeper wakes: the slot it was given.
        slept.push(now + ms);
        now += ms;
      },
    };
    const limiter = createRateLimiter({ requestsPerSecond: 2, clock });
    // One after another, as the collector calls within a region: each starts 500 ms after the last.
    const startedAt: number[] = [];
    for (let k = 0; k < 4; k++) await limiter.run(async () => startedAt.push(now));
    expect(startedAt).toEqual([0, 500, 1000, 1500]);
    // After a pause the next call goes at once: the limiter paces, it does not add delay.
    now = 5000;
    await limiter.run(async () => startedAt.push(now));
    expect(startedAt.at(-1)).toBe(5000);
    // Concurrent callers reserve distinct slots before any of them waits.
    slept.length = 0;
    now = 10_000;
    await Promise.all([1, 2, 3].map(() => limiter.run(async () => undefined)));
    expect(slept).toEqual([10_500, 11_000]);
    expect(() => createRateLimiter({ requestsPerSecond: 0 })).toThrow(/positive/);
  });
});

describe("CloudTrail collector: failures become coverage", () => {
  it("AccessDenied in a region: one failed entry, no further calls there, other regions read", async () => {
    const { context, coverage, stub } = setup(["eu-west-1", "sa-east-1"]);
    stub("sa-east-1")
      .on(LookupEventsCommand)
      .rejects(awsError("AccessDeniedException", "User is not authorized to perform: cloudtrail:LookupEvents"));

    const trail = await run(context);
    expect(calls(stub("sa-east-1"))).toHaveLength(1);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({
        region: "sa-east-1",
        service: "cloudtrail",
        api: "LookupEvents",
        status: "failed",
        reason: "access-denied",
      }),
    );
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: "eu-west-1", service: "cloudtrail", status: "ok" }),
    );
    expect(trail.regionsRead).toEqual(["eu-west-1"]);
  });

  it("throttling that outlasted the SDK's retries: partial coverage naming the event, the rest still read", async () => {
    const { context, coverage, stub } = setup(["eu-west-1"]);
    const identity = iamUserIdentity("deploy", "AKIA4EXAMPLEDEPLOY01");
    stub("eu-west-1")
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunTask" }] })
      .rejects(awsError("ThrottlingException", "Rate exceeded"))
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunInstances" }] })
      .resolves(
        page([
          runInstances({
            identity,
            time: "2026-03-10T01:00:00Z",
            region: "eu-west-1",
            instanceIds: ["i-0ccc000000000001a"],
          }),
        ]),
      );

    const trail = await run(context);
    expect(calls(stub("eu-west-1")).map(eventNameOf)).toEqual([...REGIONAL_EVENT_NAMES]);
    expect(trail.events).toHaveLength(1);
    const entry = coverage.entries.find((e) => e.region === "eu-west-1" && e.service === "cloudtrail");
    expect(entry).toMatchObject({ status: "partial", reason: "throttled" });
    expect(entry?.message).toContain("not read for RunTask");
  });

  it("notes a window older than the 90-day event history", async () => {
    const { context, coverage } = setup(["eu-west-1"]);
    context.window = { start: new Date(NOW.getTime() - 120 * DAY), end: WINDOW_END };
    const trail = await run(context);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({
        region: "global",
        service: "cloudtrail",
        status: "skipped",
        message: expect.stringMatching(/90-day event history/),
      }),
    );
    expect(trail.lookupStart).toBe(new Date(NOW.getTime() - EVENT_HISTORY_DAYS * DAY).toISOString());
  });

  it("makes no call when the whole window is older than the event history, and says so", async () => {
    const { context, coverage, stub } = setup(["eu-west-1"]);
    context.window = { start: new Date(NOW.getTime() - 200 * DAY), end: new Date(NOW.getTime() - 100 * DAY) };
    const trail = await run(context);
    expect(stub("eu-west-1")).not.toHaveReceivedAnyCommand();
    expect(trail.events).toEqual([]);
    expect(coverage.entries.map((e) => [e.region, e.status])).toEqual([
      ["global", "skipped"],
      ["global", "skipped"],
    ]);
  });

  it("a client that cannot be built is that region's gap; the other regions are still read", async () => {
    const { context, coverage, stub } = setup(["eu-west-1"]);
    const working = context.clients.cloudTrail;
    context.clients = fakeClientFactory({
      cloudTrail: (region: string) => {
        if (region === "eu-west-1")
          throw awsError("InvalidClientTokenId", "The security token included in the request is invalid");
        return working(region);
      },
    });
    await run(context);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ region: "eu-west-1", status: "failed", reason: "access-denied" }),
    );
    expect(coverage.entries).toContainEqual(expect.objectContaining({ region: "global", status: "ok" }));
    expect(calls(stub("us-east-1")).map(eventNameOf)).toEqual([...IAM_EVENT_NAMES]);
  });

  it("bounds the lookup period by the margin and the 90-day history", () => {
    expect(lookupPeriod(WINDOW, NOW).start).toEqual(new Date(WINDOW.start.getTime() - LOOKBACK_MARGIN_DAYS * DAY));
    const old = { start: new Date(NOW.getTime() - 89 * DAY), end: WINDOW_END };
    expect(lookupPeriod(old, NOW).start).toEqual(new Date(NOW.getTime() - EVENT_HISTORY_DAYS * DAY));
  });
});

describe("CloudTrail collector: normalizing events", () => {
  it("never stores user data or unnamed request parameters", async () => {
    const { context, stub } = setup(["eu-west-1"]);
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const userData = Buffer.from(
      `#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=${secret}\n./xmrig -o stratum+tcp://pool.supportxmr.com:3333`,
    ).toString("base64");
    const record = runInstances({
      identity: iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY"),
      time: "2026-03-10T01:00:00Z",
      region: "eu-west-1",
      instanceIds: ["i-0ddd000000000001a"],
      userData,
    });
    (record.requestParameters as Record<string, unknown>).clientToken = "secret-client-token-123";
    stub("eu-west-1")
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "RunInstances" }] })
      .resolves(page([record]));

    const trail = await run(context);
    const stored = JSON.stringify(trail);
    expect(stored).not.toContain(userData);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain("userData");
    expect(stored).not.toContain("secret-client-token-123");
    expect(trail.events[0]?.request).toEqual({
      imageId: "ami-0c7217cdde317cfec",
      minCount: "1",
      maxCount: "1",
      instanceType: "c5.4xlarge",
      disableApiTermination: "false",
    });
  });

  it("reads an assumed role's identity, the instances it launched, and its source", () => {
    const record = runInstances({
      identity: assumedRoleIdentity("ml-pipeline", "nightly-2026-03-10", "ASIA4EXAMPLEMLSESS01"),
      time: "2026-03-10T00:01:12Z",
      region: "eu-west-1",
      instanceIds: ["i-0eee000000000001a", "i-0eee000000000002a"],
      instanceType: "p4d.24xlarge",
      sourceIp: "states.amazonaws.com",
      userAgent: "states.amazonaws.com",
    });
    const event = normalizeEvent(lookupEvent(record), "eu-west-1");
    expect(event).toMatchObject({
      eventId: record.eventID,
      eventTime: "2026-03-10T00:01:12.000Z",
      eventName: "RunInstances",
      eventSource: "ec2.amazonaws.com",
      region: "eu-west-1",
      principal: {
        type: "AssumedRole",
        arn: "arn:aws:sts::123456789012:assumed-role/ml-pipeline/nightly-2026-03-10",
        roleArn: "arn:aws:iam::123456789012:role/ml-pipeline",
        accessKeyId: "ASIA4EXAMPLEMLSESS01",
        accountId: "123456789012",
        userName: "ml-pipeline",
      },
      sourceIpAddress: "states.amazonaws.com",
    });
    expect(event?.resources).toEqual([
      { type: "ec2-instance", id: "i-0eee000000000001a" },
      { type: "ec2-instance", id: "i-0eee000000000002a" },
    ]);
  });

  it.each([
    {
      name: "DryRun probe: error kept, nothing created",
      record: dryRunInstances({
        identity: iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY"),
        time: "2026-03-10T00:00:10Z",
        region: "us-east-2",
      }),
      expected: { errorCode: "Client.DryRunOperation", resources: [], request: { instanceType: "p3.16xlarge" } },
    },
    {
      name: "quota increase: service, quota code, desired value and status",
      record: quotaIncrease({
        identity: iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY"),
        time: "2026-03-10T00:00:05Z",
        quotaCode: "L-DB2E81BA",
        desiredValue: 192,
      }),
      expected: {
        eventName: "RequestServiceQuotaIncrease",
        request: { serviceCode: "ec2", quotaCode: "L-DB2E81BA", desiredValue: "192", quotaRequestStatus: "PENDING" },
      },
    },
  ])("$name", ({ record, expected }) => {
    expect(normalizeEvent(lookupEvent(record), record.awsRegion)).toMatchObject(expected);
  });

  it("falls back to LookupEvents' summary fields when the record is unreadable", () => {
    const event = normalizeEvent(
      {
        EventId: "0a1b2c3d-0000-4000-8000-000000000001",
        EventName: "RunInstances",
        EventTime: new Date("2026-03-10T01:00:00Z"),
        EventSource: "ec2.amazonaws.com",
        Username: "ci-deploy",
        AccessKeyId: "AKIA4EXAMPLECIDEPLOY",
        Resources: [{ ResourceType: "AWS::EC2::Instance", ResourceName: "i-0fff000000000001a" }],
        CloudTrailEvent: "{not json",
      },
      "eu-west-1",
    );
    expect(event).toMatchObject({
      region: "eu-west-1",
      principal: { type: "Unknown", userName: "ci-deploy", accessKeyId: "AKIA4EXAMPLECIDEPLOY" },
      resources: [{ type: "ec2-instance", id: "i-0fff000000000001a" }],
    });
  });
});
