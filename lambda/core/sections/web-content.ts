/**
 * Web content the account serves (S3 static sites, S3 origins of CloudFront distributions, Amplify
 * Hosting apps) and what its HTML and JavaScript objects hold that could be an in-browser miner
 * (the Coinhive vector: a stolen key with s3:PutObject plants a miner in the company's homepage).
 *
 * What is stored per scanned object, and why not the object itself: a site is megabytes of HTML
 * and bundles, and a snapshot must stay small enough to attach to a ticket and replay. Storing
 * whole bodies would also copy the company's site (and whatever secrets sit in its config files)
 * into every report bucket. So the collector keeps the facts the rules need to stay pure
 * functions of the snapshot, and nothing that says what they mean:
 *
 * - identity and provenance: bucket, key, region, content type, size, last modified, version id,
 *   ETag, and the CloudFront distributions that serve it (for the containment commands);
 * - every `<script src>` of an HTML page (short, and needed to compare with the previous run);
 * - excerpts: the text around each occurrence of a token from a deliberately broad candidate list
 *   (miner names, miner API words, WebSocket and WebAssembly, decoders such as atob), shortened and
 *   redacted with quoteLine, each marked with whether it sits in script or in page text (a blog
 *   post about Coinhive is markup, not a miner);
 * - literals the page decodes at run time (atob("..."), String.fromCharCode(...), \x and \u
 *   escapes), decoded by the collector before redaction, kept when they contain a candidate token:
 *   an obfuscated loader hides exactly the strings the rules look for;
 * - WebAssembly module names and WebSocket URLs the code references.
 *
 * Excerpts are capped per object and the most specific tokens are kept first, so a large bundle full
 * of `throttle` cannot push a miner's line out. Judgement (which host is a miner, which decoded text
 * is a loader) belongs to the rules in lambda/rules/web-*.ts.
 *
 * Previous state for "new script source": `previousScriptSources` holds the script sources of the
 * same objects as seen by an earlier run. The collector never fills it (it sees only the present);
 * the deployed handler does, from the file the last daily run left in the report bucket
 * (lambda/state/script-sources.ts), and `carryScriptSources` does it from a saved snapshot.
 * Comparing with an object's
 * older S3 versions was the alternative: it needs versioning, s3:GetObjectVersion and a second read
 * per object, and says nothing for unversioned buckets, the common case for static sites.
 */
import { z } from "zod";
import { awsRegion, isoDateTime } from "./common.js";

/** How a site was found: it decides the containment (a CDN to invalidate, an app to redeploy). */
export const WebSiteKindSchema = z.enum(["s3-website", "cloudfront-origin", "amplify-app", "configured-bucket"]);

export const WebSiteSchema = z.object({
  kind: WebSiteKindSchema,
  /** The S3 bucket holding the content (absent for Amplify apps). */
  bucket: z.string().optional(),
  region: z.string(),
  distributionId: z.string().optional(),
  /** The distribution's domain (d111111abcdef8.cloudfront.net) and its aliases (www.example.com). */
  domains: z.array(z.string()).default([]),
  /** CloudFront origin path: the bucket prefix the distribution serves. */
  originPath: z.string().optional(),
  /** Amplify app id and name. */
  appId: z.string().optional(),
  appName: z.string().optional(),
  /** Whether its objects were read in this run; when false, `note` says why. */
  scanned: z.boolean(),
  note: z.string().optional(),
});

export const WebExcerptSchema = z.object({
  /** 1-based line of the occurrence. */
  line: z.number().int().positive(),
  /** Candidate tokens found in this excerpt (lower case). */
  tokens: z.array(z.string()),
  /** `script`: JavaScript, or inside <script> / an on* attribute of a page; `markup`: page text. */
  context: z.enum(["script", "markup"]),
  /** The text around the occurrence, redacted and shortened (quoteLine). */
  text: z.string(),
});

export const DecodedLiteralSchema = z.object({
  line: z.number().int().positive(),
  encoding: z.enum(["base64", "char-codes", "hex-escape", "unicode-escape"]),
  context: z.enum(["script", "markup"]).default("script"),
  /** The decoded text, redacted and shortened. */
  text: z.string(),
});

export const WebObjectSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  region: awsRegion,
  contentType: z.string().optional(),
  size: z.number().int().nonnegative(),
  lastModified: isoDateTime,
  versionId: z.string().optional(),
  etag: z.string().optional(),
  /** CloudFront distributions serving this bucket (and prefix). */
  distributionIds: z.array(z.string()).default([]),
  /** The site's own domains (website endpoint, distribution domain and aliases): not third parties. */
  siteDomains: z.array(z.string()).default([]),
  /** Every <script src> of an HTML page, in page order, as written. */
  scriptSources: z.array(z.string()).default([]),
  excerpts: z.array(WebExcerptSchema).default([]),
  /** Excerpts found before the cap; more than `excerpts.length` means some were dropped. */
  excerptCount: z.number().int().nonnegative().default(0),
  decoded: z.array(DecodedLiteralSchema).default([]),
  /** WebAssembly module names (cn.wasm) and WebSocket URLs the code references. */
  wasmModules: z.array(z.string()).default([]),
  webSockets: z.array(z.string()).default([]),
});

export const WebContentSchema = z.object({
  /** Objects read per run at most, and how many were read. */
  objectBudget: z.number().int().nonnegative(),
  objectsScanned: z.number().int().nonnegative(),
  sites: z.array(WebSiteSchema).default([]),
  objects: z.array(WebObjectSchema).default([]),
  /** The previous run's script sources per object (`s3://bucket/key`); absent when there is no state. */
  previousScriptSources: z
    .object({
      collectedAt: isoDateTime,
      byObject: z.record(z.string(), z.array(z.string())),
    })
    .optional(),
});

export type WebSite = z.infer<typeof WebSiteSchema>;
export type WebExcerpt = z.infer<typeof WebExcerptSchema>;
export type DecodedLiteral = z.infer<typeof DecodedLiteralSchema>;
export type WebObject = z.infer<typeof WebObjectSchema>;
export type WebContent = z.infer<typeof WebContentSchema>;

/** The id of an object in findings and in previousScriptSources. */
export function objectUri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
