/**
 * Reading paginated lists and batched lookups for the section collectors, with the coverage entry
 * every read must leave: ok, partial (a later page failed, or a cap was reached) or failed.
 */
import pLimit from "p-limit";
import type { CoverageRecorder } from "./coverage.js";
import { classifyAwsError } from "./coverage.js";

export interface ListRead<T> {
  items: T[];
  /** True when at least the first page was read: the region counts as read (perhaps in part). */
  read: boolean;
}

export interface ListTarget {
  coverage: CoverageRecorder;
  region: string;
  service: string;
  api: string;
  /** What is counted, plural: "notebook instances". */
  noun: string;
  /** At most this many items are kept; reaching it is recorded as `partial`. */
  cap: number;
}

/**
 * Reads pages until the end, the cap or an error. Pages already read survive a later failure; the
 * coverage entry says how far it got.
 */
export async function readPages<P, T>(
  pages: AsyncIterable<P>,
  extract: (page: P) => T[],
  target: ListTarget,
): Promise<ListRead<T>> {
  const { coverage, region, service, api, noun, cap } = target;
  const items: T[] = [];
  let pageCount = 0;
  try {
    for await (const page of pages) {
      pageCount += 1;
      items.push(...extract(page));
      if (items.length >= cap) break;
    }
  } catch (error) {
    if (pageCount === 0) {
      coverage.failed(region, service, api, error);
      return { items, read: false };
    }
    const { reason, message } = classifyAwsError(error);
    coverage.partial(
      region,
      service,
      api,
      reason,
      `stopped after ${pageCount} page(s) and ${items.length} ${noun}: ${message}`,
    );
    return { items, read: true };
  }
  if (items.length >= cap) {
    coverage.partial(
      region,
      service,
      api,
      "not-requested",
      `read the first ${cap} ${noun} (the cap per region); any beyond were not read`,
    );
    return { items: items.slice(0, cap), read: true };
  }
  coverage.ok(region, service, api, `${items.length} ${noun}`);
  return { items, read: true };
}

/** Splits `items` into batches of at most `size` (an API's batch cap). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export interface LookupTarget {
  coverage: CoverageRecorder;
  region: string;
  service: string;
  api: string;
  /** What one lookup reads, plural: "lifecycle configurations". */
  noun: string;
  /** At most this many lookups; the rest is recorded as `partial`. */
  cap: number;
  concurrency: number;
}

/**
 * Runs one lookup per key (Describe calls that take a single name), at most `cap` of them with
 * `concurrency` in flight, and leaves one coverage entry summarizing failures and the cap.
 * Keys are taken in the order given: callers put the most suspicious first.
 */
export async function lookupEach<K>(
  keys: readonly K[],
  lookup: (key: K) => Promise<void>,
  target: LookupTarget,
): Promise<void> {
  const { coverage, region, service, api, noun, cap } = target;
  if (keys.length === 0) return;
  const chosen = keys.slice(0, cap);
  const failures: unknown[] = [];
  const limit = pLimit(target.concurrency);
  await limit.map([...chosen], async (key) => {
    try {
      await lookup(key);
    } catch (error) {
      failures.push(error);
    }
  });
  if (failures.length > 0) {
    const { reason, message } = classifyAwsError(failures[0]);
    const summary = `${noun} not read for ${failures.length} of ${chosen.length} (first error: ${message})`;
    if (failures.length === chosen.length) {
      coverage.entries.push({ region, service, api, status: "failed", reason, message: summary });
    } else {
      coverage.partial(region, service, api, reason, summary);
    }
  } else {
    coverage.ok(region, service, api, `${noun} read for ${chosen.length}`);
  }
  if (keys.length > cap) {
    coverage.partial(
      region,
      service,
      `${api}:cap`,
      "not-requested",
      `${noun} read for the ${cap} most suspicious of ${keys.length}; the other ${keys.length - cap} were not read`,
    );
  }
}
