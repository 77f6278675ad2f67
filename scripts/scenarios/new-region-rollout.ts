/**
 * scenarios/new-region-rollout: the company opens its EU site. Yesterday the usual Terraform
 * pipeline created the same stack it runs in us-east-1 (web Auto Scaling group, worker, database)
 * in eu-central-1, with the same instance profiles, tags and families. A region never used before,
 * five launches within twenty minutes and new spend, all of it the account's own workload.
 * Run: npx tsx scripts/scenarios/new-region-rollout.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  cloudTrailCoverage,
  DAY_MS,
  deployRole,
  instanceIdOf,
  isMain,
  iso,
  ordinaryCompany,
  runInstancesEvent,
  type WorkloadSpec,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const NEW = "eu-central-1";
const ACCOUNT = "742851639027";
const WINDOW_END = "2026-11-25T09:00:00.000Z";
const ROLLOUT = Date.parse("2026-11-24T09:14:03Z");
const DEPLOY = deployRole(ACCOUNT);

const home = ordinaryCompany({ region: HOME, prefix: "shopfront", utcOffsetHours: -5, since: "2026-03-16T14:00:00Z" });
/** The same stack, same names and roles, launched by Terraform in the new region. */
const eu: WorkloadSpec[] = ordinaryCompany({
  region: NEW,
  prefix: "shopfront",
  utcOffsetHours: 1,
  since: iso(ROLLOUT + 9 * 60_000),
}).map((w) => ({
  ...w,
  name: `${w.name}-eu`,
  // The database goes first; the Auto Scaling group and the worker follow.
  launchTime: w.name.endsWith("-db")
    ? iso(ROLLOUT)
    : w.launchTime.replace(/T.*/, "") === ""
      ? w.launchTime
      : iso(ROLLOUT + 9 * 60_000 + (Date.parse(w.launchTime) % 60_000)),
  tags: { ...w.tags, Region: "eu", "managed-by": "terraform" },
}));

export const spec: AccountSpec = {
  scenario: "new-region-rollout",
  description: "The company's own stack rolled out to eu-central-1 by its Terraform role, same profiles and tags",
  accountId: ACCOUNT,
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [...home.map((w) => ({ ...w, tags: { ...w.tags, "managed-by": "terraform" } })), ...eu],
  extra: {
    cloudTrail: {
      regionsRead: [HOME, NEW],
      eventNames: ["RunInstances"],
      lookupStart: iso(Date.parse(WINDOW_END) - 8 * DAY_MS),
      events: [
        runInstancesEvent(
          "shopfront-replace",
          DEPLOY,
          "2026-11-20T15:40:12.000Z",
          HOME,
          ["i-0c3d4e5f60718293a"],
          "t3.large",
        ),
        ...eu.map((w) =>
          runInstancesEvent(`rollout-${w.name}`, DEPLOY, w.launchTime, NEW, [instanceIdOf(w.name)], w.instanceType),
        ),
      ],
    },
  },
  extraCoverage: cloudTrailCoverage([HOME, NEW]),
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
