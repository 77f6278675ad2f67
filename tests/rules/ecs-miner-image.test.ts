import { describe, expect, it } from "vitest";
import { ecsMinerImage } from "../../lambda/rules/ecs-miner-image.js";
import { isDockerHub, minerImageMatch, parseImage } from "../../lambda/rules/lib/ecs-images.js";
import type { Severity } from "../../lambda/rules/types.js";
import { buildSnapshot, ruleContext } from "../support/snapshot-builder.js";
import { ecsSection, type TaskDefinitionInput, type TaskInput, taskDefinition, tasksOf } from "./ecs-fixtures.js";

const REGION = "us-east-2";
const WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
const ECR_APP = "123456789012.dkr.ecr.us-east-2.amazonaws.com/checkout-api:2026.03.1";

function one(definition: TaskDefinitionInput, taskOverrides: Partial<TaskInput> = {}) {
  return { definitions: [definition], tasks: tasksOf(definition, 1, taskOverrides) };
}

describe("MW-ECS-MINER-IMAGE", () => {
  const cases: {
    name: string;
    definitions: TaskDefinitionInput[];
    tasks: TaskInput[];
    expected: Severity | null;
  }[] = [
    {
      name: "fires critical: a known public miner image",
      ...one(taskDefinition(REGION, "web", { image: "metal3d/xmrig:latest" })),
      expected: "critical",
    },
    {
      name: "fires critical: a known miner image by digest through docker.io",
      ...one(taskDefinition(REGION, "web", { image: "docker.io/pmietlicki/monero-miner@sha256:0e5d6f" })),
      expected: "critical",
    },
    {
      name: "fires critical: an innocent image with a pool URL in its command",
      ...one(
        taskDefinition(REGION, "worker", {
          image: "ubuntu:22.04",
          command: `sh -c apt-get update && ./sysupdate -o stratum+tcp://gulf.moneroocean.stream:10128 -u ${WALLET}`,
        }),
      ),
      expected: "critical",
    },
    {
      name: "fires critical: the miner arrives through a RunTask command override",
      ...one(taskDefinition(REGION, "web", { image: ECR_APP }), {
        containerOverrides: [
          { name: "main", command: `/tmp/x -o pool.supportxmr.com:443 -u ${WALLET} --donate-level 0` },
        ],
      }),
      expected: "critical",
    },
    {
      name: "fires high: an image named after a miner",
      ...one(taskDefinition(REGION, "web", { image: "ghcr.io/someone/xmrig-builds:6.21" })),
      expected: "high",
    },
    {
      name: "fires medium: only a mining port in the environment",
      ...one(taskDefinition(REGION, "web", { image: ECR_APP, environment: "UPSTREAM=198.51.100.23:14444" })),
      expected: "medium",
    },
    {
      name: "quiet: an ordinary application image from ECR",
      ...one(taskDefinition(REGION, "web", { image: ECR_APP, command: "node server.js --port 3333" })),
      expected: null,
    },
    {
      name: "quiet: a stopped miner task",
      ...one(taskDefinition(REGION, "web", { image: "metal3d/xmrig:latest" }), { lastStatus: "STOPPED" }),
      expected: null,
    },
  ];

  it.each(cases)("$name", ({ definitions, tasks, expected }) => {
    const snapshot = buildSnapshot({ ecs: ecsSection(definitions, tasks) });
    const signals = ecsMinerImage.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => s.severity)).toEqual(expected ? [expected] : []);
    if (expected) {
      expect(signals[0]?.resource).toEqual({ type: "ecs-task", id: tasks[0]?.taskArn, region: REGION });
    }
  });

  it("is not applicable when ECS was not collected", () => {
    const snapshot = buildSnapshot();
    expect(ecsMinerImage.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });

  it("stays silent about a task whose definition was not read (data missing: coverage says why)", () => {
    const definition = taskDefinition(REGION, "web", { image: "metal3d/xmrig:latest" });
    const snapshot = buildSnapshot({ ecs: ecsSection([], tasksOf(definition, 2)) });
    expect(ecsMinerImage.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });

  it("signals every running task of a miner definition and quotes the pool, not the secrets", () => {
    const definition = taskDefinition(REGION, "web", {
      image: "ubuntu:22.04",
      command: `xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u ${WALLET} -p x`,
      environment: "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nTHREADS=4",
    });
    const snapshot = buildSnapshot({ ecs: ecsSection([definition], tasksOf(definition, 3)) });
    const signals = ecsMinerImage.evaluate(snapshot, ruleContext(snapshot));
    expect(signals).toHaveLength(3);
    expect(signals[0]?.message).toContain("stratum+tcp://pool.supportxmr.com:3333");
    expect(signals[0]?.message).toContain("4 vCPU");
    expect(JSON.stringify(signals)).not.toContain("wJalrXUtnFEMI");
    expect(signals[0]?.details).toMatchObject({ registeredBy: definition.registeredBy, vcpus: 4 });
  });
});

describe("image references", () => {
  it.each([
    ["nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["nginx:1.27", { registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
    ["metal3d/xmrig:latest", { registry: "docker.io", repository: "metal3d/xmrig", tag: "latest" }],
    ["docker.io/metal3d/xmrig", { registry: "docker.io", repository: "metal3d/xmrig" }],
    ["index.docker.io/library/alpine:3", { registry: "docker.io", repository: "library/alpine", tag: "3" }],
    [
      ECR_APP,
      { registry: "123456789012.dkr.ecr.us-east-2.amazonaws.com", repository: "checkout-api", tag: "2026.03.1" },
    ],
    ["localhost:5000/app", { registry: "localhost:5000", repository: "app" }],
    [
      "public.ecr.aws/nginx/nginx@sha256:abc",
      { registry: "public.ecr.aws", repository: "nginx/nginx", digest: "sha256:abc" },
    ],
  ])("parses %s", (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });

  it("tells Docker Hub from other registries", () => {
    expect(isDockerHub("xmrig/xmrig")).toBe(true);
    expect(isDockerHub("registry-1.docker.io/xmrig/xmrig")).toBe(true);
    expect(isDockerHub(ECR_APP)).toBe(false);
    expect(isDockerHub("ghcr.io/org/app:1")).toBe(false);
  });

  it("recognises miner images but not look-alikes", () => {
    expect(minerImageMatch("xmrig/xmrig:6.21.0")?.kind).toBe("known-miner-image");
    expect(minerImageMatch("someone/monero-miner")?.kind).toBe("miner-named-image");
    expect(minerImageMatch("grafana/grafana:11.0.0")).toBeUndefined();
    expect(minerImageMatch("containerd/containerd")).toBeUndefined();
    expect(minerImageMatch("bitnami/minio")).toBeUndefined();
  });
});
