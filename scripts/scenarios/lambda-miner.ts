/**
 * scenarios/lambda-miner: Denonia-style. A developer's key is used to repoint an existing image
 * resizing function at a custom-runtime package with a miner, set to 10,240 MB and 15 minutes, and
 * to invoke it every minute from a new EventBridge rule. No instance anywhere: only the function's
 * configuration and the Lambda bill show it.
 * Run: npx tsx scripts/scenarios/lambda-miner.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  cloudTrailCoverage,
  DAY_MS,
  isMain,
  iso,
  leakedUser,
  ordinaryCompany,
  SERVICE,
  trailEvent,
  writeScenario,
} from "./account-builder.js";

const HOME = "ap-northeast-1";
const ACCOUNT = "520639487152";
const WINDOW_END = "2026-11-25T03:00:00.000Z";
const CHANGED = "2026-11-24T08:41:27.000Z";
const FUNCTION_ARN = `arn:aws:lambda:${HOME}:${ACCOUNT}:function:image-resize-worker`;
const DEVELOPER = leakedUser(ACCOUNT, "dev-kenji", "AKIA5DEVKENJI4LM8RT", "103.152.118.72");

export const spec: AccountSpec = {
  scenario: "lambda-miner",
  description: "An existing Lambda function repointed at a custom-runtime miner with maximum memory and timeout",
  accountId: ACCOUNT,
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: ordinaryCompany({ region: HOME, prefix: "sakura", utcOffsetHours: 9, since: "2026-02-24T01:00:00Z" }),
  background: [
    { region: HOME, service: SERVICE.ec2Other, perDay: 31, weekdayBoost: 1.08 },
    { region: HOME, service: SERVICE.s3, perDay: 19 },
    { region: HOME, service: SERVICE.elb, perDay: 6.1, weekdayBoost: 1.1 },
    { region: HOME, service: SERVICE.cloudWatch, perDay: 3.9, weekdayBoost: 1.1 },
    { region: HOME, service: SERVICE.lambda, perDay: 2.4, weekdayBoost: 1.3 },
    // 10 GB x 900 s every minute: about $216 a day from the change on.
    { region: HOME, service: SERVICE.lambda, perDay: 205, weekdayBoost: 1, fromDay: "2026-11-24" },
    { region: "global", service: SERVICE.cloudFront, perDay: 5.5, weekdayBoost: 1.2 },
  ],
  anomalies: [
    { name: "lambda-spike", startDate: "2026-11-24", region: HOME, service: SERVICE.lambda, impactUsd: 187.4 },
  ],
  extra: {
    managedCompute: {
      regionsRead: { lambda: [HOME] },
      lambdaFunctions: [
        {
          name: "image-resize-worker",
          arn: FUNCTION_ARN,
          region: HOME,
          runtime: "provided.al2023",
          packageType: "Zip",
          memorySize: 10240,
          timeout: 900,
          lastModified: CHANGED,
          codeSha256: "q0H8mK3vS7pX2cL9wF5tB1nR4yD6gJ0aE8uI2oZ7kQs=",
          role: `arn:aws:iam::${ACCOUNT}:role/image-resize-worker`,
        },
        {
          name: "thumbnail-api",
          arn: `arn:aws:lambda:${HOME}:${ACCOUNT}:function:thumbnail-api`,
          region: HOME,
          runtime: "nodejs20.x",
          packageType: "Zip",
          memorySize: 1024,
          timeout: 30,
          lastModified: "2026-10-02T05:12:40.000Z",
          role: `arn:aws:iam::${ACCOUNT}:role/thumbnail-api`,
        },
      ],
    },
    cloudTrail: {
      regionsRead: [HOME],
      eventNames: ["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2", "PutRule"],
      lookupStart: iso(Date.parse(WINDOW_END) - 8 * DAY_MS),
      events: [
        trailEvent("lambda-code", {
          eventTime: iso(Date.parse(CHANGED) - 40_000),
          eventName: "UpdateFunctionCode20150331v2",
          eventSource: "lambda.amazonaws.com",
          region: HOME,
          ...DEVELOPER,
          resources: [{ type: "lambda-function", id: FUNCTION_ARN }],
        }),
        trailEvent("lambda-config", {
          eventTime: CHANGED,
          eventName: "UpdateFunctionConfiguration20150331v2",
          eventSource: "lambda.amazonaws.com",
          region: HOME,
          ...DEVELOPER,
          resources: [{ type: "lambda-function", id: FUNCTION_ARN }],
          request: { memorySize: "10240", timeout: "900", runtime: "provided.al2023" },
        }),
      ],
    },
  },
  extraCoverage: [
    ...cloudTrailCoverage([HOME]),
    { region: HOME, service: "lambda", api: "ListFunctions", status: "ok" },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
