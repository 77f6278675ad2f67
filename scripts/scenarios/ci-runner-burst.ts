/**
 * scenarios/ci-runner-burst: release day. The GitLab runner autoscaler starts 50 c5.2xlarge within
 * four minutes for the release pipeline's test matrix; each runs 20 to 45 minutes at high CPU and is
 * terminated. The account pays for c5 runners every working day.
 * Run: npx tsx scripts/scenarios/ci-runner-burst.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  isWeekend,
  ordinaryCompany,
  type Rng,
  writeScenario,
} from "./account-builder.js";

const HOME = "eu-west-1";
const WINDOW_END = "2026-11-24T16:00:00.000Z";
const BURST = Date.parse("2026-11-24T13:02:10Z");

export const spec: AccountSpec = {
  scenario: "ci-runner-burst",
  description: "Fifty short-lived c5.2xlarge CI runners started within four minutes by the runner autoscaler",
  accountId: "853962741038",
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "gitforge", since: "2026-02-09T09:00:00Z" }),
    ...Array.from({ length: 50 }, (_, k) => {
      const launch = BURST + k * 4_700;
      const minutes = 20 + ((k * 7) % 26);
      const end = launch + minutes * 60_000;
      const done = end < Date.parse(WINDOW_END);
      return {
        name: `runner-${k + 1}`,
        image: "gitlab-runner-2026-11",
        region: HOME,
        instanceType: "c5.2xlarge",
        launchTime: iso(launch),
        ...(done ? { state: "terminated" as const, endTime: iso(end) } : {}),
        instanceProfile: "gitlab-runner",
        launchTemplate: "gitlab-runner",
        autoScalingGroup: "gitlab-runners",
        tags: {
          Name: "gitlab-runner",
          ci: "gitlab",
          "ci:ephemeral": "true",
          "aws:autoscaling:groupName": "gitlab-runners",
        },
        cpu: (_ms: number, rng: Rng) => rng.uniform(70, 96),
        networkOut: (_ms: number, rng: Rng) => rng.uniform(3e8, 9e8),
        packetBytes: 1300,
      };
    }),
  ],
  pastCompute: [
    {
      region: HOME,
      instanceType: "c5.2xlarge",
      hoursPerDay: (day, _index, rng) =>
        isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay()) ? rng.uniform(2, 6) : rng.uniform(25, 60),
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
