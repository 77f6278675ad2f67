/**
 * Organization deploy settings, read from CDK context next to the single-account ones
 * (lib/deploy-config.ts) and validated with zod, so a typo fails `cdk synth` with a sentence.
 *
 *   npx cdk deploy MinewatchOrg -c org=true -c orgExternalId=<random> -c orgAccounts=500 -c emails=...
 */
import { z } from "zod";
import { validate } from "../../lambda/core/input.js";
import { EXTERNAL_ID_PATTERN } from "../../lambda/org/environment.js";

/**
 * Above this many accounts the fan-out runs as a Distributed Map. An inline Map runs at most 40
 * iterations at once and records every iteration's events in the one execution history (capped at
 * 25,000 events, about 10 per account with retries); a Distributed Map runs each account as its own
 * child execution (own history, up to 10,000 at once) for a little more per account in state
 * transitions. At 40 accounts or fewer the inline Map is as fast (all at once) and cheapest.
 */
export const INLINE_MAP_MAX_ACCOUNTS = 40;
/** AWS's cap on an inline Map's concurrent iterations. */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

export type MapMode = "inline" | "distributed";

/** The fan-out mode for an organization of `accounts` accounts; distributed when the size is unknown (safe at any size). */
export function chooseMapMode(accounts: number | undefined): MapMode {
  return accounts !== undefined && accounts <= INLINE_MAP_MAX_ACCOUNTS ? "inline" : "distributed";
}

const accountList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(",")).map((id) => id.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^\d{12}$/, "12-digit account ids, comma-separated")));

export const OrgSettingsSchema = z.object({
  /** Shared with every member role (StackSet parameter ExternalId). Generate one: `openssl rand -hex 24`. */
  orgExternalId: z
    .string({ error: "is required with -c org=true (e.g. -c orgExternalId=$(openssl rand -hex 24))" })
    .regex(EXTERNAL_ID_PATTERN, "2-1224 characters of letters, digits and +=,.@:/-"),
  /** About how many member accounts; picks the Map mode when orgMapMode is auto. */
  orgAccounts: z.coerce.number().int().min(1).max(100_000).optional(),
  /** inline, distributed, or auto (distributed above 40 accounts or when orgAccounts is unknown). */
  orgMapMode: z.enum(["auto", "inline", "distributed"]).default("auto"),
  /**
   * Accounts audited at once. Each audit runs in its own account (separate AWS rate limits), so the
   * bound is this account's Lambda concurrency (1,000 by default, shared) and STS AssumeRole rates.
   */
  orgMaxConcurrency: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Accounts never audited (e.g. the management account without a member role). */
  orgExcludeAccounts: accountList.default([]),
});

export type OrgSettingsInput = z.input<typeof OrgSettingsSchema>;

export interface OrgSettings {
  externalId: string;
  mapMode: MapMode;
  maxConcurrency: number;
  excludeAccounts: string[];
}

export function resolveOrgSettings(raw: z.output<typeof OrgSettingsSchema>): OrgSettings {
  const mapMode = raw.orgMapMode === "auto" ? chooseMapMode(raw.orgAccounts) : raw.orgMapMode;
  const defaultConcurrency = mapMode === "inline" ? INLINE_MAP_MAX_CONCURRENCY : 50;
  const maxConcurrency = raw.orgMaxConcurrency ?? defaultConcurrency;
  return {
    externalId: raw.orgExternalId,
    mapMode,
    maxConcurrency: mapMode === "inline" ? Math.min(maxConcurrency, INLINE_MAP_MAX_CONCURRENCY) : maxConcurrency,
    excludeAccounts: raw.orgExcludeAccounts,
  };
}

/** Reads the organization settings from a context getter (app.node.tryGetContext). */
export function readOrgSettings(getContext: (key: string) => unknown): OrgSettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(OrgSettingsSchema.shape)) {
    const value = getContext(key);
    if (value !== undefined) raw[key] = value;
  }
  return resolveOrgSettings(
    validate(
      OrgSettingsSchema,
      raw,
      "The Minewatch organization settings (CDK context)",
      "Pass them as -c key=value; see docs/organizations.md.",
    ),
  );
}
