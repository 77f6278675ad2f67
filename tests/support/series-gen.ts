/**
 * Deterministic metric curves for rule tests: office-hours cycles, flat plateaus, ramps and noisy
 * batch jobs, with noise from a seeded PRNG so every run (and every CI machine) sees the same data.
 */
import type { Series } from "../../lambda/core/snapshot.js";

export const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** mulberry32: tiny, fast and good enough to make test noise look like noise. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normally distributed noise (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The metric's level at a time; `random` is for shapes that are random by nature (batch spikes). */
export type Shape = (time: Date, random: () => number) => number;

export const flat =
  (level: number): Shape =>
  () =>
    level;

/**
 * Office hours in UTC: `day` percent from `from` to `to` o'clock on weekdays, `night` otherwise
 * (a web server or a developer box).
 */
export function officeHours({
  night = 5,
  day = 45,
  from = 8,
  to = 18,
  weekends = false,
}: {
  night?: number;
  day?: number;
  from?: number;
  to?: number;
  weekends?: boolean;
} = {}): Shape {
  return (time) => {
    const weekday = time.getUTCDay() !== 0 && time.getUTCDay() !== 6;
    const hour = time.getUTCHours();
    return (weekday || weekends) && hour >= from && hour < to ? day : night;
  };
}

/** A straight line from `fromLevel` at fromMs to `toLevel` at toMs, constant outside. */
export function ramp({
  fromMs,
  toMs,
  fromLevel,
  toLevel,
}: {
  fromMs: number;
  toMs: number;
  fromLevel: number;
  toLevel: number;
}): Shape {
  return (time) => {
    const t = Math.min(1, Math.max(0, (time.getTime() - fromMs) / (toMs - fromMs)));
    return fromLevel + (toLevel - fromLevel) * t;
  };
}

/** A batch box: mostly idle at `base`, with bursts to about `burst` in a share `probability` of periods. */
export function batchSpikes({ base = 8, burst = 95, probability = 0.15 } = {}): Shape {
  return (_time, random) => (random() < probability ? burst - random() * 15 : base);
}

/** `before` until atMs, `after` from then on: the moment a miner starts. */
export function switchAt(atMs: number, before: Shape, after: Shape): Shape {
  return (time, random) => (time.getTime() < atMs ? before(time, random) : after(time, random));
}

export interface GenerateOptions {
  /** First period start (ISO). */
  start: string;
  /** Length in hours. */
  hours: number;
  shape: Shape;
  /** Period of the series (300 for EC2 basic monitoring, 3600 for hourly). */
  periodSeconds?: number;
  /** Standard deviation of Gaussian noise added to each value, in the metric's unit. */
  noise?: number;
  seed?: number;
  /** Share of values dropped to null, like CloudWatch's occasional missing points. */
  missingRate?: number;
  stat?: Series["stat"];
  /** Clamp into [min, max] (CPU percent by default). */
  min?: number;
  max?: number;
}

export function generateSeries({
  start,
  hours,
  shape,
  periodSeconds = 3600,
  noise = 0,
  seed = 1,
  missingRate = 0,
  stat = "Average",
  min = 0,
  max = 100,
}: GenerateOptions): Series {
  const random = seededRandom(seed);
  const startMs = Date.parse(start);
  const count = Math.round((hours * 3600) / periodSeconds);
  const values: (number | null)[] = [];
  for (let i = 0; i < count; i++) {
    const time = new Date(startMs + i * periodSeconds * 1000);
    const level = shape(time, random) + noise * gaussian(random);
    const missing = missingRate > 0 && random() < missingRate;
    values.push(missing ? null : Math.round(Math.min(max, Math.max(min, level)) * 100) / 100);
  }
  return { start: new Date(startMs).toISOString(), periodSeconds, stat, values };
}
