/**
 * scenarios/slow-ramp-two-weeks: a patient attacker on a forgotten staging API server. A cron job
 * raises the miner's thread cap a little every night for two weeks, so no day looks very different
 * from the one before, and it ends flat at about 60 %: under any fixed CPU threshold and inside a
 * 14-day baseline that has absorbed most of the rise.
 * Run: npx tsx scripts/scenarios/slow-ramp-two-weeks.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  DAY_MS,
  HOUR_MS,
  isMain,
  isWeekend,
  ordinaryCompany,
  writeScenario,
} from "./account-builder.js";

const HOME = "eu-west-2";
const WINDOW_END = "2026-11-26T10:00:00.000Z";
/** The miner arrived 16 days before the window end and reached its cap two days before it. */
const RAMP_START = Date.parse(WINDOW_END) - 16 * DAY_MS;
const RAMP_END = Date.parse(WINDOW_END) - 2 * DAY_MS;
const CAP = 57;

/** Thread cap raised once a night at 02:00: a staircase, not a line. */
function minerLoad(ms: number): number {
  if (ms < RAMP_START) return 0;
  if (ms >= RAMP_END) return CAP;
  const nights = Math.floor((ms - RAMP_START + 22 * HOUR_MS) / DAY_MS);
  return Math.min(CAP, nights * (CAP / 14));
}

export const spec: AccountSpec = {
  scenario: "slow-ramp-two-weeks",
  description: "A miner on a forgotten staging server, its cap raised nightly for two weeks, now flat at about 60 %",
  accountId: "742019385601",
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "ledger", since: "2026-01-12T09:00:00Z" }),
    {
      name: "staging-api",
      region: HOME,
      instanceType: "m5.xlarge",
      launchTime: "2025-10-02T11:17:40.000Z",
      instanceProfile: "staging-api",
      keyName: "staging-2025",
      tags: { Name: "staging-api", Environment: "staging" },
      cpu: (ms, rng) => {
        const local = new Date(ms);
        const hour = local.getUTCHours();
        // A test suite pokes it on working days; otherwise it idles.
        const office =
          !isWeekend(local.getUTCDay()) && hour >= 9 && hour < 18 ? rng.uniform(3, 7) : rng.uniform(1.5, 3);
        return office + minerLoad(ms) + rng.normal(0, 1.2);
      },
      networkOut: (ms, rng) => rng.uniform(1e7, 3e7) + (ms >= RAMP_START ? rng.uniform(3e6, 5e6) : 0),
      packetBytes: 600,
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
