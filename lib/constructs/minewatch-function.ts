/**
 * The house Lambda construct: every Minewatch function gets the same, commented defaults.
 */
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Architecture, LoggingFormat, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { LOCK_FILE, PROJECT_ROOT } from "../paths.js";

/** One full vCPU (see memorySize below). */
const DEFAULT_MEMORY_MB = 1769;

export interface MinewatchFunctionProps {
  /** Absolute path of the handler file (from lib/paths.ts). */
  entry: string;
  description: string;
  /** Unset (undefined) variables are left out; numbers and booleans become strings. */
  environment: Readonly<Record<string, unknown>>;
  /**
   * A full audit of a large account (10,000 instances, 17 regions, 90 days of costs) reads for
   * about a minute; throttling back-off can stretch that several times. 10 minutes leaves room
   * while staying under Lambda's 15-minute ceiling, so a stuck run is cut off and alarmed.
   */
  timeout?: Duration;
  /**
   * 1,769 MB is one full vCPU: JSON parsing and the rules are CPU-bound, and a 10,000-instance
   * snapshot with hourly series is tens of MB in memory.
   */
  memorySize?: number;
  logRetention?: RetentionDays;
}

export class MinewatchFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: MinewatchFunctionProps) {
    super(scope, id);
    // An explicit log group so its retention is ours and it is removed with the stack.
    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      description: props.description,
      // The newest Node.js Lambda runtime (22 is the oldest Minewatch supports); pinned, not "latest", so a
      // deploy never changes the runtime behind the team's back.
      runtime: Runtime.NODEJS_24_X,
      // Graviton: about 20 % cheaper per GB-second for the same work; the code is pure JavaScript.
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(10),
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      environment: {
        // Stack traces point at the TypeScript source. The heap is capped at about 70 % of the
        // function's memory so V8 collects garbage before Lambda kills the process for memory
        // (at 10,000 instances an uncapped heap grows lazily past 600 MB; capped, the run fits).
        NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${Math.floor((props.memorySize ?? DEFAULT_MEMORY_MB) * 0.7)}`,
        ...definedOnly(props.environment),
      },
      loggingFormat: LoggingFormat.JSON,
      logGroup: this.logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      bundling: {
        // Local esbuild (a devDependency): synthesis needs neither Docker nor network.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: "node24",
        mainFields: ["module", "main"],
        // Some dependencies still call require(); give the ESM bundle one.
        banner:
          "import { createRequire as __minewatchCreateRequire } from 'module'; const require = __minewatchCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        // Bundle the SDK clients we use instead of relying on the runtime's copy: the code runs
        // against the exact versions it was tested with.
        externalModules: [],
      },
    });
  }
}

function definedOnly(environment: Readonly<Record<string, unknown>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    if (value === undefined) continue;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new Error(`Environment variable ${key} must be a string, number or boolean`);
    }
    result[key] = String(value);
  }
  return result;
}
