/**
 * MW-EC2-LAUNCH-WAVE: many instances launched within minutes of each other, across regions. Stolen
 * keys are used by scripts that start dozens to hundreds of instances (or spot requests, fleets)
 * in one go; people rarely do that by hand.
 *
 * Every instance of a wave gets a signal carrying the same waveId, so correlation can join a fleet
 * spread over several regions into one finding.
 */
import { type AccountProfile, ESTABLISHED_AFTER_DAYS, familiarity } from "../core/profile.js";
import type { AccountSnapshot, Instance } from "../core/snapshot.js";
import { listSome } from "../core/text.js";
import { formatTime, instanceRef, launchedInWindow } from "./lib/instances.js";
import { closeness, NEAR_MISS_SHARE, type NearMissNote } from "./lib/near-miss.js";
import type { Rule, Severity, Signal } from "./types.js";

/** A wave this large, or spread over this many regions, is high on its own. */
const HIGH_WAVE_SIZE = 10;
const HIGH_WAVE_REGIONS = 2;

/**
 * Whether a launch can belong to a wave worth reporting: launched within the audit window, or still
 * running after a launch in the last ESTABLISHED_AFTER_DAYS (a fleet started just before the window
 * and mining since is the same incident; after that it is established history, as in the profile).
 */
function recentLaunch(instance: Instance, snapshot: AccountSnapshot): boolean {
  if (launchedInWindow(instance, snapshot)) return true;
  const establishedBefore = Date.parse(snapshot.window.end) - ESTABLISHED_AFTER_DAYS * 24 * 3_600_000;
  const stillUp = instance.state === "running" || instance.state === "pending";
  return stillUp && Date.parse(instance.launchTime) > establishedBefore;
}

/** Recent launches (see recentLaunch), grouped so that consecutive launches are at most `gapMinutes` apart. */
export function launchClusters(snapshot: AccountSnapshot, gapMinutes: number): Instance[][] {
  const launched = snapshot.instances
    .filter((i) => recentLaunch(i, snapshot))
    .sort((a, b) => Date.parse(a.launchTime) - Date.parse(b.launchTime) || a.instanceId.localeCompare(b.instanceId));
  const clusters: Instance[][] = [];
  let current: Instance[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const instance of launched) {
    const at = Date.parse(instance.launchTime);
    if (at - previous > gapMinutes * 60_000 && current.length > 0) {
      clusters.push(current);
      current = [];
    }
    current.push(instance);
    previous = at;
  }
  if (current.length > 0) clusters.push(current);
  return clusters;
}

/** The value every instance shares, or null when they differ or some lack it. */
function shared(wave: Instance[], pick: (i: Instance) => string | undefined): string | null {
  const values = new Set(wave.map(pick));
  const [only] = values;
  return values.size === 1 && only !== undefined ? only : null;
}

/**
 * Auto Scaling groups that already had instances ESTABLISHED_AFTER_DAYS before the window end, keyed
 * "region/name": new instances in them are most likely ordinary scaling.
 */
function establishedAutoScalingGroups(snapshot: AccountSnapshot): Set<string> {
  const before = Date.parse(snapshot.window.end) - ESTABLISHED_AFTER_DAYS * 24 * 3_600_000;
  return new Set(
    snapshot.instances
      .filter((i) => i.autoScalingGroup !== undefined && Date.parse(i.launchTime) <= before)
      .map((i) => `${i.region}/${i.autoScalingGroup}`),
  );
}

export const ec2LaunchWave: Rule = {
  id: "MW-EC2-LAUNCH-WAVE",
  title: "Launch wave: many instances started within minutes",
  severity: "high",
  category: "inventory",
  rationale:
    "Cryptojacking scripts start as many instances as the quotas allow, in as many regions as possible, within minutes of getting a key. " +
    "A burst of launches, especially across regions, is the footprint of automation using stolen credentials.",
  recommendation:
    "Look up the RunInstances / RequestSpotInstances / CreateFleet events of the wave in CloudTrail: one principal and one access key usually launched all of them. " +
    "If it is not a known pipeline, deactivate that access key first, then stop the instances in every region and cancel spot requests and fleets so they are not relaunched.",
  evaluate(snapshot, { config, profile, noteNearMiss }) {
    const { launchWaveMinutes, launchWaveMinInstances } = config.thresholds;
    const establishedGroups = establishedAutoScalingGroups(snapshot);
    const signals: Signal[] = [];
    for (const wave of launchClusters(snapshot, launchWaveMinutes)) {
      if (wave.length < launchWaveMinInstances) {
        // Only bursts that began in this window: a near-miss is news once, not on every daily report.
        const first = wave[0];
        if (!noteNearMiss || !first || !launchedInWindow(first, snapshot)) continue;
        const near = smallWaveNearMiss(wave, config.thresholds, profile, establishedGroups);
        if (near) noteNearMiss({ ...near, resource: instanceRef(first) });
        continue;
      }
      const first = wave[0];
      const last = wave[wave.length - 1];
      if (!first || !last) continue;
      const regions = [...new Set(wave.map((i) => i.region))].sort();
      const waveId = `wave-${first.launchTime}-${wave.length}`;
      const spanMinutes = Math.round((Date.parse(last.launchTime) - Date.parse(first.launchTime)) / 6_000) / 10;
      const sharedImage = shared(wave, (i) => i.imageId);
      const sharedKeyName = shared(wave, (i) => i.keyName);
      const sharedLaunchTemplate = shared(wave, (i) => i.launchTemplateId);
      const waveSeverity: Severity =
        regions.length >= HIGH_WAVE_REGIONS || wave.length >= HIGH_WAVE_SIZE ? "high" : "medium";
      const sameness = [
        sharedImage ? `same AMI ${sharedImage}` : undefined,
        sharedKeyName ? `same key pair ${sharedKeyName}` : undefined,
        sharedLaunchTemplate ? `same launch template ${sharedLaunchTemplate}` : undefined,
      ].filter((s): s is string => s !== undefined);
      const startedBeforeWindow = Date.parse(first.launchTime) < Date.parse(snapshot.window.start);
      const routine = routineWave(wave, profile);
      const waveText =
        `one of ${wave.length} instances launched within ${spanMinutes} min (${formatTime(first.launchTime)} to ${formatTime(last.launchTime)}) ` +
        `in ${regions.length} region${regions.length > 1 ? "s" : ""} (${regions.join(", ")})${sameness.length > 0 ? `, ${sameness.join(", ")}` : ""}` +
        (startedBeforeWindow ? ", before this audit window and still running" : "");

      for (const instance of wave) {
        const group = instance.autoScalingGroup;
        const normalScaling = group !== undefined && establishedGroups.has(`${instance.region}/${group}`);
        signals.push({
          ruleId: ec2LaunchWave.id,
          resource: instanceRef(instance),
          severity: normalScaling || routine ? "low" : waveSeverity,
          message:
            `${instance.instanceId} (${instance.instanceType}, ${instance.region}) is ${waveText}.` +
            (normalScaling
              ? ` It belongs to Auto Scaling group ${group}, which has had instances for over ${ESTABLISHED_AFTER_DAYS} days: likely normal scaling.`
              : routine
                ? ` Every instance of the wave looks like the account's own workload (${routine}): likely a deploy, CI or batch burst, low on its own.`
                : ""),
          details: {
            waveId,
            size: wave.length,
            regions,
            firstLaunch: first.launchTime,
            lastLaunch: last.launchTime,
            spanMinutes,
            sharedImage,
            sharedKeyName,
            sharedLaunchTemplate,
            instanceTypes: [...new Set(wave.map((i) => i.instanceType))].sort(),
            autoScalingGroup: group ?? null,
            establishedAutoScalingGroup: normalScaling,
            routineWave: routine ?? null,
            startedBeforeWindow,
            launchWaveMinutes,
            launchWaveMinInstances,
          },
        });
      }
    }
    return signals;
  },
};

/** Ids a near-miss names before it says "and N more". */
const NEAR_MISS_IDS = 5;

/**
 * A burst that was nearly a wave: at least half the instances the rule needs (and at least 2),
 * launched within the minutes, not ordinary scaling of an established group and not the account's
 * own familiar workload. Noted on the burst's first instance.
 */
function smallWaveNearMiss(
  wave: readonly Instance[],
  thresholds: { launchWaveMinutes: number; launchWaveMinInstances: number },
  profile: AccountProfile,
  establishedGroups: ReadonlySet<string>,
): NearMissNote | undefined {
  const { launchWaveMinutes, launchWaveMinInstances } = thresholds;
  if (wave.length < Math.max(2, launchWaveMinInstances * NEAR_MISS_SHARE)) return undefined;
  if (routineWave(wave, profile) !== undefined) return undefined;
  const scaling = (i: Instance) =>
    i.autoScalingGroup !== undefined && establishedGroups.has(`${i.region}/${i.autoScalingGroup}`);
  if (wave.every(scaling)) return undefined;
  const first = wave[0];
  const last = wave[wave.length - 1];
  if (!first || !last) return undefined;
  const regions = [...new Set(wave.map((i) => i.region))].sort();
  const ids = listSome(
    wave.map((i) => `${i.instanceId} (${i.instanceType}, ${i.region})`),
    NEAR_MISS_IDS,
  );
  return {
    message:
      `${wave.length} instances launched from ${formatTime(first.launchTime)} to ${formatTime(last.launchTime)}, ` +
      `each within ${launchWaveMinutes} min of the previous, in ${regions.join(", ")}: ${ids}. ` +
      `The rule calls a wave from ${launchWaveMinInstances} instances (thresholds.launchWaveMinInstances).`,
    closeness: closeness(wave.length, launchWaveMinInstances),
    details: {
      size: wave.length,
      launchWaveMinInstances,
      launchWaveMinutes,
      regions,
      instanceIds: wave.map((i) => i.instanceId),
      firstLaunch: first.launchTime,
      lastLaunch: last.launchTime,
    },
  };
}

/**
 * Why the whole wave looks routine (every instance familiar: home region and known family, or an
 * instance profile the account's established instances wear), or undefined. CI bursts, batch
 * scale-outs, load tests and rollouts launch in waves too; a wave is alarming for what it is made of.
 */
function routineWave(wave: readonly Instance[], profile: AccountProfile): string | undefined {
  const reasons = wave.map((instance) => familiarity(instance, profile));
  if (reasons.some((r) => r === undefined)) return undefined;
  return reasons[0];
}
