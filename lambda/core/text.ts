/** Small text helpers for the sentences rules and reports write. */

/** "a, b, c and 4 more": the first `max` items, then how many were left out. */
export function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
