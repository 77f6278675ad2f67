/**
 * Small building blocks for scenario generators (scripts/scenarios/*.ts): a seeded random source,
 * time helpers, CPU shapes (office hours, diurnal traffic, nightly jobs, flat plateaus), metric
 * series and a cost ledger that keeps Cost Explorer's region, service and instance type views
 * consistent with each other.
 *
 * Everything here is deterministic: the same seed gives the same snapshot byte for byte, so a
 * regenerated scenario shows up in review only when its generator changed. Never use Math.random.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Costs, Series, UserData } from "../../lambda/core/snapshot.js";

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Cost Explorer's service names, as GetCostAndUsage groups them. */
export const SERVICE = {
  ec2Compute: "Amazon Elastic Compute Cloud - Compute",
  ec2Other: "EC2 - Other",
  s3: "Amazon Simple Storage Service",
  elb: "Amazon Elastic Load Balancing",
  eks: "Amazon Elastic Container Service for Kubernetes",
  cloudWatch: "AmazonCloudWatch",
  cloudFront: "Amazon CloudFront",
  route53: "Amazon Route 53",
  lambda: "AWS Lambda",
  kms: "AWS Key Management Service",
  sqs: "Amazon Simple Queue Service",
  elastiCache: "Amazon ElastiCache",
  vpc: "Amazon Virtual Private Cloud",
} as const;

// ---------------------------------------------------------------------------------------------
// Randomness and stable ids

/** A 32-bit seed derived from a name, so each resource gets its own stream of noise. */
export function seedFrom(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32LE(0);
}

/**
 * A stable AWS-style id derived from a logical name ("i-0" + 16 hex digits for prefix "i"): it does
 * not change when a generator is edited elsewhere, so scenario.yaml can name resources by id.
 */
export function stableId(prefix: string, name: string): string {
  return `${prefix}-0${createHash("sha256").update(`${prefix}:${name}`).digest("hex").slice(0, 16)}`;
}

/** A seeded pseudo-random source (mulberry32): small, fast and identical on every platform. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return Math.floor(this.uniform(min, max + 1));
  }

  /** Normally distributed (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick() from an empty list");
    return item;
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** An EC2 instance id in the current 17-digit form (i-0 followed by 16 hex digits). */
  instanceId(): string {
    return `i-0${this.hex(16)}`;
  }

  /** A resource id such as ami-0..., vpc-0..., subnet-0... */
  resourceId(prefix: string): string {
    return `${prefix}-0${this.hex(16)}`;
  }

  /** A public IPv4 address inside one of the given /16 prefixes ("3.14"). */
  publicIp(prefixes: readonly string[]): string {
    return `${this.pick(prefixes)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Time

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `hours` before `from` (ISO), as ISO. */
export function hoursBefore(from: string, hours: number): string {
  return iso(Date.parse(from) - hours * HOUR_MS);
}

/** `days` before `from` (ISO), as ISO. */
export function daysBefore(from: string, days: number): string {
  return hoursBefore(from, days * 24);
}

export function floorToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** `count` consecutive UTC dates (YYYY-MM-DD) ending with `lastDay`, oldest first. */
export function dayRange(lastDay: string, count: number): string[] {
  const last = Date.parse(`${lastDay}T00:00:00Z`);
  return Array.from({ length: count }, (_, k) => iso(last - (count - 1 - k) * DAY_MS).slice(0, 10));
}

/** Local hour of day (fractional) and day of week (0 = Sunday) at `ms`, for a fixed UTC offset. */
export function localTime(ms: number, utcOffsetHours = 0): { hour: number; weekday: number } {
  const local = new Date(ms + utcOffsetHours * HOUR_MS);
  return { hour: local.getUTCHours() + local.getUTCMinutes() / 60, weekday: local.getUTCDay() };
}

export function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6;
}

// ---------------------------------------------------------------------------------------------
// Load shapes: functions of time returning 0..1 (how busy), combined by a generator into a metric.

/** A ramp from 0 at `from` to 1 at `to` (hours), clamped. */
function ramp(hour: number, from: number, to: number): number {
  if (hour <= from) return 0;
  if (hour >= to) return 1;
  return (hour - from) / (to - from);
}

export interface OfficeHours {
  /** Local start and end of the working day, hours. */
  start: number;
  end: number;
  /** Hours it takes to ramp up in the morning and down in the evening. */
  rampHours?: number;
  utcOffsetHours?: number;
  /** Whether Saturday and Sunday are working days (default false). */
  weekends?: boolean;
}

/** 1 during office hours on working days, 0 outside, with linear ramps around the edges. */
export function officeHoursLoad(ms: number, shape: OfficeHours): number {
  const { hour, weekday } = localTime(ms, shape.utcOffsetHours ?? 0);
  if (!shape.weekends && isWeekend(weekday)) return 0;
  const r = shape.rampHours ?? 1;
  return Math.min(
    ramp(hour, shape.start - r / 2, shape.start + r / 2),
    1 - ramp(hour, shape.end - r / 2, shape.end + r / 2),
  );
}

/**
 * Web-style traffic: a smooth daily wave peaking at `peakHour` local time, 0 at the opposite hour,
 * scaled by `weekendFactor` on Saturday and Sunday.
 */
export function diurnalLoad(
  ms: number,
  peakHour: number,
  options: { utcOffsetHours?: number; weekendFactor?: number } = {},
): number {
  const { hour, weekday } = localTime(ms, options.utcOffsetHours ?? 0);
  const wave = (1 + Math.cos(((hour - peakHour) / 24) * 2 * Math.PI)) / 2;
  return isWeekend(weekday) ? wave * (options.weekendFactor ?? 0.6) : wave;
}

/** 1 while a daily job runs (local `startHour` for `durationHours`, may cross midnight), else 0. */
export function dailyJobLoad(ms: number, startHour: number, durationHours: number, utcOffsetHours = 0): number {
  const { hour } = localTime(ms, utcOffsetHours);
  const since = (hour - startHour + 24) % 24;
  return since < durationHours ? 1 : 0;
}

/** Linear interpolation between `low` (load 0) and `high` (load 1). */
export function between(load: number, low: number, high: number): number {
  return low + (high - low) * load;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A CPU percentage: clamped to 0..100 and rounded to one decimal, as a compact snapshot stores it. */
export function percent(value: number): number {
  return Math.round(clamp(value, 0, 100) * 10) / 10;
}

// ---------------------------------------------------------------------------------------------
// Metric series

export interface SeriesSpec {
  /** First period start (inclusive), ISO; aligned down to the period. */
  start: string;
  /** End of the last period (exclusive), ISO. */
  end: string;
  periodSeconds?: number;
  stat?: Series["stat"];
  /** The value for the period starting at `ms`; null where CloudWatch would return no data point. */
  value: (ms: number, index: number) => number | null;
}

/** A metric series as the snapshot stores it: one start, one period, an array of values. */
export function metricSeries(spec: SeriesSpec): Series {
  const periodMs = (spec.periodSeconds ?? 3600) * 1000;
  const start = Math.floor(Date.parse(spec.start) / periodMs) * periodMs;
  const end = Date.parse(spec.end);
  const values: (number | null)[] = [];
  for (let t = start, i = 0; t < end; t += periodMs, i++) values.push(spec.value(t, i));
  return { start: iso(start), periodSeconds: periodMs / 1000, stat: spec.stat ?? "Average", values };
}

// ---------------------------------------------------------------------------------------------
// Costs

export interface CostLine {
  region: string;
  service: string;
  /** Set for EC2 compute lines only (Cost Explorer's INSTANCE_TYPE dimension). */
  instanceType?: string;
}

/**
 * Daily unblended cost built from line items, so the three Cost Explorer views in a snapshot
 * (by region, by service, by instance type) always add up to the same account total.
 */
export class CostLedger {
  private readonly byRegion = new Map<string, number[]>();
  private readonly byService = new Map<string, number[]>();
  private readonly byInstanceType = new Map<string, number[]>();

  constructor(readonly days: readonly string[]) {}

  indexOf(day: string): number {
    const index = this.days.indexOf(day);
    if (index < 0) throw new Error(`${day} is outside the cost series (${this.days[0]}..${this.days.at(-1)})`);
    return index;
  }

  /** Adds `usd` spent on `line` on day number `dayIndex`. */
  add(line: CostLine, dayIndex: number, usd: number): void {
    if (usd === 0) return;
    const bump = (map: Map<string, number[]>, key: string) => {
      const values = map.get(key) ?? this.days.map(() => 0);
      values[dayIndex] = (values[dayIndex] ?? 0) + usd;
      map.set(key, values);
    };
    bump(this.byRegion, line.region);
    bump(this.byService, line.service);
    if (line.instanceType) bump(this.byInstanceType, line.instanceType);
  }

  /** Adds `perDay(dayIndex, day)` for every day. */
  addDaily(line: CostLine, perDay: (dayIndex: number, day: string) => number): void {
    this.days.forEach((day, index) => {
      this.add(line, index, perDay(index, day));
    });
  }

  /**
   * Adds compute that ran from `from` to `to` (ISO) at `hourlyUsd`, split over the days it touched.
   * `billedUntil` cuts off what Cost Explorer has not processed yet (it lags by hours).
   */
  addRunning(line: CostLine, from: string, to: string, hourlyUsd: number, billedUntil?: string): void {
    const start = Date.parse(from);
    const end = Math.min(Date.parse(to), billedUntil ? Date.parse(billedUntil) : Number.POSITIVE_INFINITY);
    for (let dayStart = Math.floor(start / DAY_MS) * DAY_MS; dayStart < end; dayStart += DAY_MS) {
      const hours = (Math.min(end, dayStart + DAY_MS) - Math.max(start, dayStart)) / HOUR_MS;
      const day = iso(dayStart).slice(0, 10);
      if (hours > 0 && this.days.includes(day)) this.add(line, this.indexOf(day), hours * hourlyUsd);
    }
  }

  /** The snapshot's `costs` field, rounded to cents like Cost Explorer's console. */
  toCosts(currency = "USD"): Costs {
    const round = (map: Map<string, number[]>) =>
      Object.fromEntries(
        [...map.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, values]) => [key, values.map((v) => Math.round(v * 100) / 100)]),
      );
    return {
      currency,
      days: [...this.days],
      byRegion: round(this.byRegion),
      byService: round(this.byService),
      byInstanceType: round(this.byInstanceType),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// User data and output

/**
 * User data as the EC2 collector stores it: `redact` applied to the decoded text before storing,
 * while hash and size describe the original bytes (so identical scripts match across instances).
 */
export function storedUserData(original: string, redact: (text: string) => string): UserData {
  return {
    text: redact(original),
    sha256: createHash("sha256").update(original).digest("hex"),
    sizeBytes: Buffer.byteLength(original, "utf8"),
    truncated: false,
  };
}

/** Writes compact JSON (one line, final newline): scenario snapshots stay small and diff by regeneration. */
export function writeCompactJson(path: string, data: unknown): number {
  mkdirSync(dirname(path), { recursive: true });
  const text = `${JSON.stringify(data)}\n`;
  writeFileSync(path, text);
  return Buffer.byteLength(text, "utf8");
}

/** A snapshot's `regions`: the enabled ones, then those the account has not opted in to. */
export function regionList(
  enabled: readonly string[],
  notOptedIn: readonly string[],
): Array<{ name: string; optInStatus: "opt-in-not-required" | "not-opted-in" }> {
  return [
    ...enabled.map((name) => ({ name, optInStatus: "opt-in-not-required" as const })),
    ...notOptedIn.map((name) => ({ name, optInStatus: "not-opted-in" as const })),
  ];
}
