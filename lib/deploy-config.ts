/**
 * Deploy-time settings, read from CDK context (`-c key=value` or cdk.json) and validated with zod
 * before anything is synthesized, so a typo fails `cdk synth` with a sentence, not a broken stack.
 */
import { z } from "zod";
import { ConfigSchema } from "../lambda/core/config.js";
import { parseDocument, UserInputError, validate } from "../lambda/core/input.js";

const emailList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.email("an email address such as secops@example.com")));

export const DeployConfigSchema = z.object({
  /** Comma-separated addresses subscribed to the findings topic. */
  emails: z.union([emailList, z.array(z.email())]).default([]),
  /** Daily audit time, HH:MM (24 h) in `timeZone`. */
  dailyAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM, e.g. 07:30")
    .default("07:00"),
  /** IANA time zone of `dailyAt`. */
  timeZone: z.string().min(1).default("UTC"),
  /** Minutes between sweeps that alert only on new critical/high findings; 0 turns the sweep off. */
  sweepEveryMinutes: z.coerce.number().int().min(0).max(1440).default(60),
  /** Send a short "all clear" email on quiet days (so a missing email is noticed). */
  allClearEmail: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
  /** Days reports and snapshots are kept in the bucket. */
  reportRetentionDays: z.coerce.number().int().min(31).max(3650).default(400),
  /**
   * Buckets whose objects the audit role may read to scan hosted sites for in-browser miners
   * (comma-separated or a list). Grants s3:ListBucket and s3:GetObject on these buckets only, and
   * turns the scan on for them.
   */
  webScanBuckets: z
    .union([
      z.string().transform((s) =>
        s
          .split(",")
          .map((b) => b.trim())
          .filter(Boolean),
      ),
      z.array(z.string()),
    ])
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name such as www.example.com")))
    .default([]),
  /**
   * Opt-in: scan every bucket that serves a site (website hosting or a CloudFront origin). IAM has
   * no condition for "website bucket", so this grants s3:GetObject on every bucket in the account;
   * the code reads only HTML and JavaScript of discovered sites, but the role could read any object.
   * Prefer naming the buckets in webScanBuckets.
   */
  webScanAllWebsiteBuckets: z
    .union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")])
    .default(false),
  /** Minewatch detection settings (the same schema as the CLI's --config file). */
  minewatch: ConfigSchema.default(ConfigSchema.parse({})),
});

export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/**
 * The detection settings the function runs with: the web scan is switched on to match the
 * permissions granted (named buckets, or every site bucket), unless `minewatch.webScan` already
 * says otherwise, so the role's grants and the scan cannot disagree.
 */
export function effectiveMinewatchConfig(settings: DeployConfig): DeployConfig["minewatch"] {
  const { minewatch } = settings;
  if (minewatch.webScan.enabled) return minewatch;
  if (settings.webScanBuckets.length > 0) {
    return { ...minewatch, webScan: { ...minewatch.webScan, enabled: true, buckets: settings.webScanBuckets } };
  }
  if (settings.webScanAllWebsiteBuckets) {
    return { ...minewatch, webScan: { ...minewatch.webScan, enabled: true } };
  }
  return minewatch;
}

/**
 * Room for the config in a function's environment. Lambda allows 4 KB for all variables together;
 * the rest holds the topic ARN, bucket and table names (about 300 bytes once deployed).
 */
export const MAX_CONFIG_ENV_BYTES = 3072;

/**
 * The detection settings as the MINEWATCH_CONFIG variable. Too long a config fails here, at synth,
 * with what to do, rather than as a CloudFormation error halfway through a deploy.
 */
export function minewatchConfigVariable(config: DeployConfig["minewatch"]): string {
  const json = JSON.stringify(config);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > MAX_CONFIG_ENV_BYTES) {
    const entries = config.allowlist.length;
    throw new UserInputError(
      `The Minewatch config is ${bytes} bytes as JSON, more than the ${MAX_CONFIG_ENV_BYTES} bytes a Lambda environment leaves for it (4 KB for all variables). ` +
        (entries > 0
          ? `Shorten it: the allowlist has ${entries} entries; merge entries with a principal prefix ending in * or a shared tag, and keep reasons short.`
          : "Shorten it: keep lists such as approvedRegions and webScan.buckets to what is needed."),
    );
  }
  return json;
}

/** Reads the settings from a context getter (app.node.tryGetContext). */
export function readDeployConfig(getContext: (key: string) => unknown): DeployConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(DeployConfigSchema.shape)) {
    const value = getContext(key);
    // A JSON string from `-c minewatch='{...}'`: bad JSON is a sentence naming the flag, not a crash.
    if (value !== undefined)
      raw[key] = key === "minewatch" && typeof value === "string" ? parseDocument(value, "-c minewatch (JSON)") : value;
  }
  return validate(
    DeployConfigSchema,
    raw,
    "The Minewatch deploy settings (CDK context)",
    "Pass them as -c key=value or in cdk.json's context; see README 'Deploy'.",
  );
}
