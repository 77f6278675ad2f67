/**
 * The audit function's invocation event.
 *
 * Three callers: EventBridge Scheduler with a payload the stack defines (`{"mode":"daily"}` once a
 * day, `{"mode":"sweep"}` e.g. hourly) and a responder invoking the function by hand
 * (`{"mode":"incident", ...}`). Objects are strict: a misspelt field in a hand-written incident
 * payload ("lookbakHours") is an error naming it, never silently a 24-hour default.
 */
import { z } from "zod";
import { describeIssues } from "../core/input.js";

const MAX_LOOKBACK_HOURS = 24 * 62;

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region name such as eu-west-1");
const isoDateTime = z.iso.datetime({ offset: true, error: "expected an ISO date-time such as 2026-03-10T06:00:00Z" });
const lookbackHours = z
  .number({ error: "expected a number of hours such as 6" })
  .positive("expected a positive number of hours")
  .max(MAX_LOOKBACK_HOURS, `at most ${MAX_LOOKBACK_HOURS} hours (CloudWatch keeps 5-minute data for 63 days)`);

/** The scheduled digest: always emails (all-clear included unless disabled), records state, resolves. */
export const DailyPayloadSchema = z.strictObject({
  mode: z.literal("daily"),
  lookbackHours: lookbackHours.optional(),
});

/**
 * The frequent scheduled check: emails only when a critical or high finding is new, so an hourly
 * schedule pages for a fresh fleet without repeating yesterday's digest.
 */
export const SweepPayloadSchema = z.strictObject({
  mode: z.literal("sweep"),
  lookbackHours: lookbackHours.optional(),
});

/** A responder's run for a window, a region set, and optionally an access key or principal. */
export const IncidentPayloadSchema = z
  .strictObject({
    mode: z.literal("incident"),
    regions: z.array(awsRegion).min(1, "give at least one region, or leave regions out for all").optional(),
    lookbackHours: lookbackHours.optional(),
    start: isoDateTime.optional(),
    end: isoDateTime.optional(),
    accessKeyId: z
      .string()
      .regex(/^(AKIA|ASIA)[A-Z0-9]{16}$/, "expected an access key id such as AKIAIOSFODNN7EXAMPLE")
      .optional(),
    principal: z
      .string()
      .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/, "expected an IAM or STS principal ARN")
      .optional(),
    /** Email the result to the topic; off by default so a responder's run does not spam the list. */
    publish: z.boolean({ error: "expected true or false" }).default(false),
  })
  .superRefine((payload, ctx) => {
    if (payload.start !== undefined && payload.lookbackHours !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["lookbackHours"],
        message: "give either start (with an optional end) or lookbackHours, not both",
      });
    }
    if (
      payload.start !== undefined &&
      payload.end !== undefined &&
      Date.parse(payload.start) >= Date.parse(payload.end)
    ) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "must be after start" });
    }
  });

export const AuditPayloadSchema = z.discriminatedUnion(
  "mode",
  [DailyPayloadSchema, SweepPayloadSchema, IncidentPayloadSchema],
  { error: 'expected "daily", "sweep" or "incident"' },
);

/**
 * The payloads the stack's schedules send (EventBridge Scheduler target input). The CDK construct
 * should use these rather than writing JSON by hand: a schedule payload the handler rejects would
 * turn every scheduled run into a no-op.
 */
export const SCHEDULE_PAYLOADS = {
  daily: { mode: "daily" },
  sweep: { mode: "sweep" },
} as const satisfies Record<string, z.input<typeof AuditPayloadSchema>>;

export type AuditPayload = z.output<typeof AuditPayloadSchema>;
export type IncidentPayload = z.output<typeof IncidentPayloadSchema>;
export type AuditMode = AuditPayload["mode"];

export type PayloadResult = { ok: true; payload: AuditPayload } | { ok: false; error: string };

/**
 * True for an EventBridge envelope (a rule's "Scheduled Event", or Scheduler's default input):
 * the schedule was wired without the Minewatch payload. No person reads an `ok: false` answer to a
 * schedule, so the handler must fail loudly for these instead.
 */
export function isEventBridgeEnvelope(event: unknown): boolean {
  if (event === null || typeof event !== "object") return false;
  const e = event as Record<string, unknown>;
  return "detail-type" in e || (typeof e.source === "string" && e.source.startsWith("aws."));
}

/** Parses an invocation event into a payload, or a one-paragraph error naming each bad field. */
export function parsePayload(event: unknown): PayloadResult {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    return {
      ok: false,
      error: 'The event must be a JSON object such as {"mode":"incident","lookbackHours":6}.',
    };
  }
  const result = AuditPayloadSchema.safeParse(event);
  if (!result.success) {
    return {
      ok: false,
      error: `${describeIssues(result.error)}. Example: {"mode":"incident","regions":["us-east-1"],"lookbackHours":6}.`,
    };
  }
  return { ok: true, payload: result.data };
}

/** The audit window a payload asks for; undefined means the config's lookback ending now. */
export function payloadWindow(
  payload: AuditPayload,
  now: Date,
  defaultLookbackHours: number,
): { start: Date; end: Date } | undefined {
  const hours = payload.lookbackHours;
  if (payload.mode === "incident") {
    const end = payload.end ? new Date(payload.end) : now;
    if (payload.start) return { start: new Date(payload.start), end };
    if (hours !== undefined || payload.end !== undefined) {
      return { start: new Date(end.getTime() - (hours ?? defaultLookbackHours) * 3600_000), end };
    }
    return undefined;
  }
  return hours === undefined ? undefined : { start: new Date(now.getTime() - hours * 3600_000), end: now };
}
