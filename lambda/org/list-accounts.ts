/**
 * First state of the organization run: every member account, page by page (Organizations
 * ListAccounts answers 20 per page), split into the ACTIVE accounts to audit and the rest with why
 * they are not audited. The listing is stored in the run's folder so the aggregate knows which
 * accounts it must hear from: an account that leaves no outcome is reported, never silently dropped.
 *
 * Errors are thrown (Organizations down, not the management or delegated administrator account):
 * with no account list there is nothing to audit, and the state machine's failure alarms fire.
 */
import { type Account, type OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createClientFactory } from "../collect/clients.js";
import {
  type AccountListing,
  type AccountRef,
  ListAccountsInputSchema,
  orgKeys,
  orgRunPrefix,
  parseInput,
  runIdOf,
} from "./contract.js";
import { ListAccountsEnvironmentSchema, loadOrgEnvironment } from "./environment.js";

export interface ListAccountsDeps {
  organizations: OrganizationsClient;
  s3: S3Client;
  env?: Record<string, string | undefined>;
}

/** Accounts that can run workloads. SUSPENDED and PENDING_CLOSURE accounts cannot be audited or launch anything. */
const AUDITABLE_STATE = "ACTIVE";

export interface SplitAccounts {
  accounts: AccountRef[];
  notAudited: AccountListing["notAudited"];
}

/** Pure: ACTIVE and not excluded are audited; everything else is listed with the reason. */
export function splitAccounts(all: Account[], exclude: readonly string[]): SplitAccounts {
  const excluded = new Set(exclude);
  const accounts: AccountRef[] = [];
  const notAudited: AccountListing["notAudited"] = [];
  const seen = new Set<string>();
  for (const account of all) {
    const id = account.Id;
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const name = account.Name ?? "";
    // State replaces Status (retired September 2026); read either, preferring the new field.
    const state = account.State ?? account.Status ?? "UNKNOWN";
    if (state !== AUDITABLE_STATE) notAudited.push({ id, name, reason: `account state is ${state}` });
    else if (excluded.has(id)) notAudited.push({ id, name, reason: "excluded by the EXCLUDE_ACCOUNTS setting" });
    else accounts.push({ id, name });
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { accounts: accounts.sort(byId), notAudited: notAudited.sort(byId) };
}

export async function listAllAccounts(organizations: OrganizationsClient): Promise<Account[]> {
  const all: Account[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {})) all.push(...(page.Accounts ?? []));
  return all;
}

export function createListAccountsHandler(deps: ListAccountsDeps | (() => ListAccountsDeps)) {
  let resolved: ListAccountsDeps | undefined;
  return async (event: unknown): Promise<AccountListing> => {
    resolved ??= typeof deps === "function" ? deps() : deps;
    const d = resolved;
    const settings = loadOrgEnvironment(ListAccountsEnvironmentSchema, d.env ?? process.env, "list-accounts");
    const input = parseInput(ListAccountsInputSchema, event, "list-accounts");
    const runId = runIdOf(input.executionName);
    const runPrefix = orgRunPrefix(new Date(input.startedAt), runId);

    const split = splitAccounts(await listAllAccounts(d.organizations), settings.EXCLUDE_ACCOUNTS);
    const listing: AccountListing = { runId, startedAt: input.startedAt, runPrefix, ...split };
    await d.s3.send(
      new PutObjectCommand({
        Bucket: settings.REPORT_BUCKET,
        Key: orgKeys.accounts(runPrefix),
        Body: JSON.stringify(listing),
        ContentType: "application/json; charset=utf-8",
      }),
    );
    console.log(
      JSON.stringify({
        level: "info",
        message: "Accounts listed",
        runId,
        audit: listing.accounts.length,
        notAudited: listing.notAudited.length,
      }),
    );
    return listing;
  };
}

/** Production dependencies, built on the first invocation (never at import). */
export const handler = createListAccountsHandler(() => ({
  organizations: createClientFactory().organizations(),
  s3: new S3Client({}),
}));
