/** Field shapes shared by the snapshot's sections. */
import { z } from "zod";

export const isoDateTime = z.iso.datetime({ offset: true });
export const isoDate = z.iso.date();
export const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region name such as eu-west-1");

/**
 * Text a user wrote into AWS (user data, buildspecs, lifecycle scripts, container commands),
 * redacted before it is stored (lambda/core/redact.ts) and capped, with a hash of the original.
 */
export const RedactedTextSchema = z.object({
  text: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  truncated: z.boolean().default(false),
});
export type RedactedText = z.infer<typeof RedactedTextSchema>;
