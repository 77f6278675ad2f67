/**
 * How many AWS calls Minewatch keeps in flight. EC2 throttles per account and region, so a few
 * regions at a time (each a handful of calls) stays well inside the buckets while a 17-region
 * account still finishes in well under a minute; the SDK's retry absorbs the occasional throttle.
 */

/** Regions collected at the same time. */
export const REGION_CONCURRENCY = 6;

/**
 * DescribeInstanceAttribute calls in flight per region: unpaginated calls draw from EC2's smaller
 * throttle bucket, so this stays low.
 */
export const USER_DATA_CONCURRENCY = 4;
