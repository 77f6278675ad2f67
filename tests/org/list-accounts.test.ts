import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { AccountListingSchema } from "../../lambda/org/contract.js";
import { createListAccountsHandler, splitAccounts } from "../../lambda/org/list-accounts.js";
import { BUCKET, fakeBucket } from "./s3-fake.js";

const orgMock = mockClient(OrganizationsClient);

function account(id: string, state: string, name = `acct-${id.slice(-3)}`) {
  return { Id: id, Name: name, State: state as never, Arn: `arn:aws:organizations::111111111111:account/o-x/${id}` };
}

afterEach(() => orgMock.reset());

describe("list-accounts", () => {
  it("reads every page, audits ACTIVE accounts only, names why the others are not audited, and stores the listing", async () => {
    // Pages keyed by the token that asks for them; the tokens seen are copied at call time (the SDK
    // paginator reuses one input object, so recorded calls all show the last token).
    const pages: Record<string, { Accounts: ReturnType<typeof account>[]; NextToken?: string }> = {
      first: {
        Accounts: [account("222222222222", "ACTIVE"), account("333333333333", "SUSPENDED")],
        NextToken: "page-2",
      },
      "page-2": {
        Accounts: [account("444444444444", "ACTIVE"), account("555555555555", "PENDING_CLOSURE")],
        NextToken: "page-3",
      },
      "page-3": { Accounts: [account("111111111111", "ACTIVE"), account("666666666666", "ACTIVE")] },
    };
    const tokensSeen: Array<string | undefined> = [];
    orgMock.on(ListAccountsCommand).callsFake((input: { NextToken?: string }) => {
      tokensSeen.push(input.NextToken);
      const page = pages[input.NextToken ?? "first"];
      if (!page) throw new Error(`unexpected token ${input.NextToken}`);
      return page;
    });
    const bucket = fakeBucket();
    const handler = createListAccountsHandler({
      organizations: new OrganizationsClient({ region: "us-east-1" }),
      s3: bucket.client,
      env: { REPORT_BUCKET: BUCKET, EXCLUDE_ACCOUNTS: "666666666666" },
    });

    const listing = await handler({ executionName: "daily:2026-03-10", startedAt: "2026-03-10T06:00:00.000Z" });

    expect(orgMock).toHaveReceivedCommandTimes(ListAccountsCommand, 3);
    expect(tokensSeen).toEqual([undefined, "page-2", "page-3"]);
    expect(listing.runId).toBe("daily-2026-03-10");
    expect(listing.runPrefix).toBe("org-runs/2026/03/10/daily-2026-03-10");
    expect(listing.accounts.map((a) => a.id)).toEqual(["111111111111", "222222222222", "444444444444"]);
    expect(listing.notAudited).toEqual([
      { id: "333333333333", name: "acct-333", reason: "account state is SUSPENDED" },
      { id: "555555555555", name: "acct-555", reason: "account state is PENDING_CLOSURE" },
      { id: "666666666666", name: "acct-666", reason: "excluded by the EXCLUDE_ACCOUNTS setting" },
    ]);
    expect(AccountListingSchema.parse(bucket.json(`${listing.runPrefix}/accounts.json`))).toEqual(listing);
  });

  it("fails loudly when Organizations refuses (no account list, nothing to audit)", async () => {
    orgMock
      .on(ListAccountsCommand)
      .rejects(Object.assign(new Error("not the management account"), { name: "AccessDeniedException" }));
    const bucket = fakeBucket();
    const handler = createListAccountsHandler({
      organizations: new OrganizationsClient({ region: "us-east-1" }),
      s3: bucket.client,
      env: { REPORT_BUCKET: BUCKET },
    });
    await expect(handler({ executionName: "run-1", startedAt: "2026-03-10T06:00:00Z" })).rejects.toThrow(
      /management account/,
    );
    expect(bucket.objects.size).toBe(0);
  });

  it.each([
    ["Status only (before State existed)", { Id: "777777777777", Name: "old", Status: "ACTIVE" as never }, true],
    [
      "State wins over Status",
      { Id: "777777777777", Name: "old", Status: "ACTIVE" as never, State: "CLOSED" as never },
      false,
    ],
    ["neither", { Id: "777777777777", Name: "old" }, false],
  ])("%s", (_name, raw, audited) => {
    const split = splitAccounts([raw], []);
    expect(split.accounts.length).toBe(audited ? 1 : 0);
    expect(split.notAudited.length).toBe(audited ? 0 : 1);
  });
});
