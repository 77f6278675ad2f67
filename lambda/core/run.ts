/**
 * The one entry point shared by the CLI and the Lambda handler: collect (or load) a snapshot, then
 * audit it. Everything after collection is a pure function of the snapshot and the config.
 */

import type { ClientFactory } from "../collect/clients.js";
import { collectAccount, type ReusedCosts } from "../collect/collect-account.js";
import type { AuditReport } from "../report/model.js";
import { auditSnapshot } from "./audit.js";
import type { Config } from "./config.js";
import type { AccountSnapshot } from "./snapshot.js";

export interface RunAuditOptions {
  config: Config;
  /** Audit this snapshot offline: no AWS call is made. */
  snapshot?: AccountSnapshot;
  /** Live collection: the factory that builds every AWS client. Required without `snapshot`. */
  clients?: ClientFactory;
  /** Regions to read; every enabled region when absent. */
  regions?: string[];
  /** The audit window; the config's lookback ending now when absent. */
  window?: { start: Date; end: Date };
  /** Progress lines for a person watching a long live run (the CLI prints them on stderr). */
  onProgress?: (message: string) => void;
  /** Report timestamp; now when absent. */
  generatedAt?: Date;
  /** Skip Cost Explorer (read once by an organization's payer account); the sentence goes into coverage. */
  skipCostsReason?: string;
  /** Cost Explorer data of an earlier run to use instead of reading it again (the sweeps). */
  reuseCosts?: ReusedCosts;
  /**
   * Adds what only the caller holds before the audit: the deployed handler fills in the previous
   * run's web script sources. Whatever it cannot add, it records as coverage on the snapshot.
   */
  withHistory?: (snapshot: AccountSnapshot) => Promise<AccountSnapshot>;
}

export interface AuditRun {
  snapshot: AccountSnapshot;
  report: AuditReport;
}

export async function runAudit(options: RunAuditOptions): Promise<AuditRun> {
  const { config } = options;
  let snapshot = options.snapshot;
  if (!snapshot) {
    if (!options.clients) throw new Error("runAudit needs either a snapshot or AWS clients");
    const end = options.window?.end ?? new Date();
    const start = options.window?.start ?? new Date(end.getTime() - config.lookbackHours * 3600 * 1000);
    snapshot = await collectAccount({
      clients: options.clients,
      config,
      window: { start, end },
      ...(options.regions ? { regions: options.regions } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.skipCostsReason !== undefined ? { skipCostsReason: options.skipCostsReason } : {}),
      ...(options.reuseCosts ? { reuseCosts: options.reuseCosts } : {}),
    });
  }
  if (options.withHistory) snapshot = await options.withHistory(snapshot);
  const report = auditSnapshot(snapshot, config, { generatedAt: options.generatedAt ?? new Date() });
  return { snapshot, report };
}
