/**
 * scenarios/half-regions-not-opted-in: a Dubai company runs in me-central-1, an opt-in region it
 * enabled; the other fourteen opt-in regions are not enabled, almost half of the 32. Minewatch must
 * list them as not audited (nothing can run there) without calling that a gap or a finding.
 * Run: npx tsx scripts/scenarios/half-regions-not-opted-in.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  DEFAULT_REGIONS,
  isMain,
  OPT_IN_REGIONS,
  ordinaryCompany,
  writeScenario,
} from "./account-builder.js";

const HOME = "me-central-1";

export const spec: AccountSpec = {
  scenario: "half-regions-not-opted-in",
  description: "A company in me-central-1 (opted in) with the other fourteen opt-in regions disabled",
  accountId: "730619284057",
  windowEnd: "2026-11-25T05:00:00.000Z",
  homeRegions: [HOME],
  enabledRegions: [...DEFAULT_REGIONS, HOME],
  notOptedInRegions: OPT_IN_REGIONS.filter((r) => r !== HOME),
  workloads: ordinaryCompany({ region: HOME, prefix: "souk", utcOffsetHours: 4, since: "2026-03-02T05:00:00Z" }),
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
