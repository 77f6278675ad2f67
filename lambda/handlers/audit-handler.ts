/**
 * The deployed audit function: the daily digest, the frequent sweep and a responder's manual
 * incident run. Thin on purpose: it validates its inputs, calls the same core as the CLI
 * (runAudit), stores the report, works out what changed since the last run, and publishes.
 *
 * Failure policy: bad input from a person returns `{ ok: false, error }` (nothing to alarm on);
 * anything else (AWS down, misconfiguration, SNS refusing) throws so the Lambda Errors alarm fires.
 * A failed scheduled run must never look like a quiet day. The report is stored before anything
 * is published, so a publishing failure never loses it.
 */
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type ClientFactory, createClientFactory } from "../collect/clients.js";
import { identifyAccount, type ReusedCosts } from "../collect/collect-account.js";
import { type AuditRun, type RunAuditOptions, runAudit as realRunAudit } from "../core/run.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import { runKeys, storeRun } from "../publish/s3.js";
import { type DefaultSummary, MAX_SUMMARY_IDS, publishFindings } from "../publish/sns.js";
import { DEFAULT_MAX_BODY_BYTES, renderEmail } from "../report/email.js";
import { describeFocus, type FocusedReport, focusReport } from "../report/focus.js";
import type { AuditReport, Finding } from "../report/model.js";
import { atLeast, type Severity, severityRank } from "../rules/types.js";
import { costCacheKey, loadCostCache, storeCostCache } from "../state/cost-cache.js";
import { auditedBy, diffFindings, type FindingDiff } from "../state/diff.js";
import { scriptSourcesKey, storeScriptSources, withStoredScriptSources } from "../state/script-sources.js";
import { FindingStateStore, type StateWriteSummary } from "../state/state-store.js";
import { type AuditSettings, loadEnvironment } from "./environment.js";
import { type AuditPayload, isEventBridgeEnvelope, parsePayload, payloadWindow, SCHEDULE_PAYLOADS } from "./payload.js";

/** Reports up to this size are returned inline to the caller; larger ones only by location. */
export const INLINE_REPORT_MAX_BYTES = 200 * 1024;

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface HandlerDeps {
  clients: ClientFactory;
  sns: SNSClient;
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  now?: () => Date;
  /** The function's environment; process.env when absent. */
  env?: Record<string, string | undefined>;
  /** The audit core; the real one (shared with the CLI) unless a test replaces it. */
  runAudit?: (options: RunAuditOptions) => Promise<AuditRun>;
  /** Region for console links to the bucket; AWS_REGION when absent. */
  consoleRegion?: string;
  log?: Logger;
  /** The function's own account id; from STS GetCallerIdentity when absent (tests pass it). */
  accountId?: () => Promise<string>;
}

/** The Lambda context fields the handler uses. */
export interface InvocationContext {
  awsRequestId?: string;
}

export interface AuditSuccess {
  ok: true;
  mode: AuditPayload["mode"];
  runId: string;
  accountId: string;
  window: { start: string; end: string };
  summary: AuditReport["summary"] & { new: number; ongoing: number; resolved: number; notRechecked: number };
  reportLocation: string;
  snapshotLocation: string;
  published: boolean;
  messageId?: string;
  /** Present when the report is under INLINE_REPORT_MAX_BYTES; otherwise read it at reportLocation. */
  report?: AuditReport;
  /** What the caller should know about how this run was done (focus, publishing, state). */
  notes: string[];
}

export interface AuditFailure {
  ok: false;
  error: string;
}

export type AuditResponse = AuditSuccess | AuditFailure;

export type AuditHandler = (event: unknown, context?: InvocationContext) => Promise<AuditResponse>;

/**
 * Builds the handler. `deps` may be a function so the production handler creates its SDK clients
 * on the first invocation, not at import time (tests and the CDK synth import this module).
 */
export function createHandler(deps: HandlerDeps | (() => HandlerDeps)): AuditHandler {
  let resolved: HandlerDeps | undefined;
  let settings: AuditSettings | undefined;
  const getDeps = () => {
    resolved ??= typeof deps === "function" ? deps() : deps;
    return resolved;
  };

  return async (event, context) => {
    const d = getDeps();
    const log = d.log ?? jsonLog;
    // Validated once per container; a misconfigured function throws on every invocation.
    settings ??= loadEnvironment(d.env ?? process.env);

    if (isEventBridgeEnvelope(event)) {
      throw new Error(
        `The audit function received an EventBridge event instead of a Minewatch payload: set the schedule's input to ${JSON.stringify(SCHEDULE_PAYLOADS.daily)} or ${JSON.stringify(SCHEDULE_PAYLOADS.sweep)}.`,
      );
    }
    const parsed = parsePayload(event);
    if (!parsed.ok) {
      log("warn", "Rejected invocation payload", { error: parsed.error });
      return { ok: false, error: parsed.error };
    }
    return runAndPublish(d, settings, parsed.payload, context, log);
  };
}

async function runAndPublish(
  d: HandlerDeps,
  settings: AuditSettings,
  payload: AuditPayload,
  context: InvocationContext | undefined,
  log: Logger,
): Promise<AuditSuccess> {
  const config = settings.MINEWATCH_CONFIG;
  const now = (d.now ?? (() => new Date()))();
  const window = payloadWindow(payload, now, config.lookbackHours);
  const regions = payload.mode === "incident" ? payload.regions : undefined;
  const runId = makeRunId(now, context?.awsRequestId);
  const notes: string[] = [];
  log("info", "Audit starting", { mode: payload.mode, runId, regions, window });

  const scriptSources = (accountId: string) => scriptSourcesKey(settings.REPORT_PREFIX, accountId);
  const costCache = await sweepCostCache(d, settings, payload, now, notes, log);
  const { report: fullReport, snapshot } = await (d.runAudit ?? realRunAudit)({
    config,
    clients: d.clients,
    generatedAt: now,
    onProgress: (message) => log("info", message, { runId }),
    ...(regions ? { regions } : {}),
    ...(window ? { window } : {}),
    withHistory: (collected) =>
      withStoredScriptSources(d.s3, settings.REPORT_BUCKET, scriptSources(collected.accountId), collected),
    ...(costCache ? { reuseCosts: costCache } : {}),
  });
  const accountId = fullReport.accountId;

  // First the evidence, in full: stored before anything else can fail.
  const stored = await storeRun(d.s3, settings.REPORT_BUCKET, runKeys(settings.REPORT_PREFIX, accountId, now, runId), {
    report: fullReport,
    snapshot,
  });
  await keepStateFiles(d, settings, accountId, snapshot, payload, notes, log);
  // An incident run focused on a key or principal answers with (and emails) that incident's view.
  const focused = payload.mode === "incident" ? focusReport(fullReport, focusOf(payload)) : undefined;
  const report = focused?.report ?? fullReport;
  log("info", "Report stored", { runId, reportLocation: stored.reportLocation, findings: report.findings.length });

  const store = new FindingStateStore(d.dynamo, {
    tableName: settings.STATE_TABLE,
    ttlDays: settings.STATE_TTL_DAYS,
    onWarning: (message) => log("warn", message, { runId }),
  });
  const previous = await store.loadOpen(accountId);
  const diff = diffFindings(previous, report.findings, {
    // Only the scheduled full audit may call a finding resolved: an incident run on two regions or
    // a sweep proves nothing by not seeing it.
    resolveMissing: payload.mode === "daily",
    wasAudited: auditedBy(report),
  });

  const urgentNew = diff.new.filter((finding) => atLeast(finding.severity, "high"));
  const shouldPublish = decidePublish(payload, report, diff, urgentNew, settings, notes);

  let messageId: string | undefined;
  if (shouldPublish) {
    const email = renderEmail(report, diff, {
      accountId,
      reportLocation: stored.reportLocation,
      consoleRegion: d.consoleRegion ?? process.env.AWS_REGION ?? "us-east-1",
      mode: payload.mode,
      runId,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      ...(payload.mode === "incident" ? { focus: focusOf(payload) } : {}),
    });
    try {
      ({ messageId } = await publishFindings(d.sns, {
        topicArn: settings.TOPIC_ARN,
        subject: email.subject,
        emailBody: email.body,
        summary: defaultSummary(payload.mode, runId, report, diff, stored.reportLocation),
        severity: report.summary.worstSeverity,
        newSeverity: worstSeverity(diff.new),
      }));
    } catch (error) {
      log("error", "Publishing to SNS failed; the report is stored", {
        runId,
        reportLocation: stored.reportLocation,
        error: errorText(error),
      });
      // State is not saved: nobody was told, so the next run must report these as new again.
      throw new Error(
        `Minewatch could not publish the findings email (${errorText(error)}). The report is stored at ${stored.reportLocation}.`,
        { cause: error },
      );
    }
    log("info", "Findings published", { runId, messageId, subject: email.subject, reduced: email.reduced });
  }

  // Saved after publishing: if this write fails the run throws, and the next run repeats these as
  // new (a duplicate email is better than a finding nobody was told about).
  const written = await saveState(store, accountId, payload, diff, urgentNew, shouldPublish, now, notes);
  if (written) log("info", "State recorded", { runId, ...written });

  if (payload.mode === "incident") {
    notes.push(...focusNotes(payload, focused));
  }
  const reportBytes = Buffer.byteLength(JSON.stringify(report), "utf8");
  if (reportBytes > INLINE_REPORT_MAX_BYTES) {
    notes.push(
      `The report (${Math.round(reportBytes / 1024)} KB) is too large to return inline: read it at reportLocation.`,
    );
  }
  return {
    ok: true,
    mode: payload.mode,
    runId,
    accountId,
    window: report.window,
    summary: {
      ...report.summary,
      new: diff.new.length,
      ongoing: diff.ongoing.length,
      resolved: diff.resolved.length,
      notRechecked: diff.notRechecked.length,
    },
    reportLocation: stored.reportLocation,
    snapshotLocation: stored.snapshotLocation,
    published: messageId !== undefined,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(reportBytes <= INLINE_REPORT_MAX_BYTES ? { report } : {}),
    notes,
  };
}

/**
 * Leaves the next runs what they compare with or reuse: the pages' script sources and the Cost
 * Explorer data. Only the daily audit writes them: it is the run that emails every finding, so a
 * script added since the last daily email stays "new" in every sweep and incident run until a daily
 * email has reported it (a sweep replacing the file would hide a medium finding it does not email).
 * A failed write is a note, not a failed run: the report is stored, and the next run uses the older
 * file or reads Cost Explorer itself.
 */
async function keepStateFiles(
  d: HandlerDeps,
  settings: AuditSettings,
  accountId: string,
  snapshot: AccountSnapshot,
  payload: AuditPayload,
  notes: string[],
  log: Logger,
): Promise<void> {
  if (payload.mode !== "daily") return;
  const bucket = settings.REPORT_BUCKET;
  const files = [
    {
      what: "the pages' script sources",
      key: scriptSourcesKey(settings.REPORT_PREFIX, accountId),
      store: storeScriptSources,
    },
    {
      what: "the Cost Explorer data for the sweeps",
      key: costCacheKey(settings.REPORT_PREFIX, accountId),
      store: storeCostCache,
    },
  ];
  for (const { what, key, store } of files) {
    try {
      await store(d.s3, bucket, key, snapshot);
    } catch (error) {
      const note = `Could not store ${what} for the next run (s3://${bucket}/${key}): ${errorText(error)}.`;
      notes.push(note);
      log("warn", note, {});
    }
  }
}

/**
 * A sweep reuses the Cost Explorer data the daily run stored, while it is fresh (state/cost-cache.ts).
 * The file is per account, and the account is the function's own: STS names it before the run.
 */
async function sweepCostCache(
  d: HandlerDeps,
  settings: AuditSettings,
  payload: AuditPayload,
  now: Date,
  notes: string[],
  log: Logger,
): Promise<ReusedCosts | undefined> {
  if (payload.mode !== "sweep") return undefined;
  const accountId = await (d.accountId ?? (() => identifyAccount(d.clients.sts())))();
  const lookup = await loadCostCache(
    d.s3,
    settings.REPORT_BUCKET,
    costCacheKey(settings.REPORT_PREFIX, accountId),
    now,
  );
  if (lookup.reuse) {
    log("info", "Sweep reuses the daily run's Cost Explorer data", { collectedAt: lookup.reuse.collectedAt });
    return lookup.reuse;
  }
  const note = `Cost Explorer was read by this sweep because ${lookup.why}.`;
  notes.push(note);
  log("info", note, {});
  return undefined;
}

/** Daily: always (all-clear optional, an incomplete audit never); sweep: new critical/high; incident: on request. */
function decidePublish(
  payload: AuditPayload,
  report: AuditReport,
  diff: FindingDiff,
  urgentNew: Finding[],
  settings: AuditSettings,
  notes: string[],
): boolean {
  switch (payload.mode) {
    case "daily": {
      const quiet =
        report.findings.length === 0 &&
        diff.resolved.length === 0 &&
        report.summary.coverageComplete &&
        report.ruleErrors.length === 0;
      if (quiet && !settings.ALL_CLEAR_EMAIL) {
        notes.push("All clear with complete coverage; no email sent because ALL_CLEAR_EMAIL is false.");
        return false;
      }
      return true;
    }
    case "sweep":
      if (urgentNew.length === 0) notes.push("Sweep: no new critical or high finding, so nothing was published.");
      return urgentNew.length > 0;
    case "incident":
      if (!payload.publish) notes.push('Not published: pass "publish": true to email the result to the topic.');
      return payload.publish;
  }
}

/**
 * What each mode remembers. Daily records everything it reported and deletes what it resolved.
 * A sweep records only the new critical/high findings it just emailed (so the digest calls them
 * ongoing, not new) and refreshes ongoing ones; lesser new findings wait for the digest. An
 * incident run never changes what the schedule remembers.
 */
async function saveState(
  store: FindingStateStore,
  accountId: string,
  payload: AuditPayload,
  diff: FindingDiff,
  urgentNew: Finding[],
  published: boolean,
  now: Date,
  notes: string[],
): Promise<StateWriteSummary | undefined> {
  if (payload.mode === "incident") {
    notes.push(
      "Incident runs do not change the stored state of open findings (new/ongoing is relative to the schedule).",
    );
    return undefined;
  }
  if (payload.mode === "daily") return store.record(accountId, diff, now);
  return store.record(
    accountId,
    { new: published ? urgentNew : [], ongoing: diff.ongoing, resolved: [], notRechecked: [] },
    now,
  );
}

function focusOf(payload: Extract<AuditPayload, { mode: "incident" }>) {
  return {
    ...(payload.regions ? { regions: payload.regions } : {}),
    ...(payload.accessKeyId ? { accessKeyId: payload.accessKeyId } : {}),
    ...(payload.principal ? { principal: payload.principal } : {}),
  };
}

function focusNotes(
  payload: Extract<AuditPayload, { mode: "incident" }>,
  focused: FocusedReport | undefined,
): string[] {
  const notes: string[] = [];
  if (focused && (payload.accessKeyId || payload.principal)) notes.push(describeFocus(focusOf(payload), focused));
  if (payload.regions) notes.push(`Only these regions were audited: ${payload.regions.join(", ")}.`);
  return notes;
}

function defaultSummary(
  mode: string,
  runId: string,
  report: AuditReport,
  diff: FindingDiff,
  reportLocation: string,
): DefaultSummary {
  return {
    tool: "minewatch",
    mode,
    runId,
    accountId: report.accountId,
    generatedAt: report.generatedAt,
    worstSeverity: report.summary.worstSeverity,
    findings: report.findings.length,
    new: diff.new.length,
    ongoing: diff.ongoing.length,
    resolved: diff.resolved.length,
    estimatedHourlyCostUsd: report.summary.estimatedHourlyCostUsd,
    coverageComplete: report.summary.coverageComplete,
    reportLocation,
    newFindingIds: [...diff.new]
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
      .slice(0, MAX_SUMMARY_IDS)
      .map((f) => f.id),
  };
}

function worstSeverity(findings: Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (worst === null || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  return worst;
}

/** Sortable and unique: 20260310T060000Z-1a2b3c4d (time, then the request id's first block). */
export function makeRunId(now: Date, requestId: string | undefined): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const suffix = (requestId ?? randomUUID())
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8)
    .toLowerCase();
  return `${time}-${suffix}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** One JSON object per line: what Lambda's JSON log format and CloudWatch Logs Insights expect. */
const jsonLog: Logger = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

/** Production dependencies, built on the first invocation (never at import). */
export function defaultDeps(): HandlerDeps {
  const region = process.env.AWS_REGION;
  return {
    clients: createClientFactory(region ? { defaultRegion: region } : {}),
    sns: new SNSClient({}),
    s3: new S3Client({}),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  };
}

export const handler: AuditHandler = createHandler(defaultDeps);
