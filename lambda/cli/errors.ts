/**
 * Turning a failed run into one paragraph a person can act on, and an exit code. No stack trace
 * reaches the terminal (MINEWATCH_DEBUG=1 adds it, for a bug report).
 */
import { UserInputError } from "../core/input.js";
import { UsageError } from "./options.js";

export const EXIT = { ok: 0, findings: 1, usage: 2, runtime: 3 } as const;

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "TokenRefreshRequired",
  "InvalidAccessKeyId",
  "AuthFailure",
]);

const NETWORK_ERRORS = new Set(["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError"]);

const HOW_TO_CONFIGURE =
  "Minewatch uses the default AWS credential chain: set AWS_PROFILE to a profile in ~/.aws/config (after `aws sso login --profile NAME` for SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), then check them with `aws sts get-caller-identity`. To audit without AWS access, replay a saved snapshot with `minewatch audit --snapshot FILE`, or try `minewatch demo`.";

interface ErrorFacts {
  name: string;
  code: string | undefined;
  message: string;
}

/** The error and its causes, outermost first: collectors may wrap the SDK error they caught. */
function causeChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const e = current as { name?: unknown; code?: unknown; Code?: unknown; message?: unknown; cause?: unknown };
    const code = [e.code, e.Code].find((c): c is string => typeof c === "string");
    chain.push({
      name: typeof e.name === "string" ? e.name : "Error",
      code,
      message: oneLine(typeof e.message === "string" ? e.message : String(current)),
    });
    current = e.cause;
  }
  return chain;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 400);
}

export interface DescribedFailure {
  exitCode: number;
  message: string;
}

export function describeFailure(error: unknown): DescribedFailure {
  if (error instanceof UsageError || error instanceof UserInputError) {
    return { exitCode: EXIT.usage, message: error.message };
  }
  const chain = causeChain(error);
  const credential = chain.find((f) => CREDENTIAL_ERRORS.has(f.name) || (f.code && CREDENTIAL_ERRORS.has(f.code)));
  if (credential) {
    const what =
      credential.name === "CredentialsProviderError"
        ? "No AWS credentials were found"
        : "AWS rejected the credentials (expired, revoked or for another partition)";
    return {
      exitCode: EXIT.runtime,
      message: `${what} (${credential.name}: ${credential.message}). ${HOW_TO_CONFIGURE}`,
    };
  }
  const network = chain.find((f) => NETWORK_ERRORS.has(f.name) || (f.code && NETWORK_ERRORS.has(f.code)));
  if (network) {
    return {
      exitCode: EXIT.runtime,
      message: `Could not reach AWS (${network.code ?? network.name}: ${network.message}). Check the network, proxy settings (HTTPS_PROXY) and AWS_REGION, then run again.`,
    };
  }
  const detail = chain.map((f) => `${f.name}: ${f.message}`).join(" <- ");
  return {
    exitCode: EXIT.runtime,
    message: `The audit failed (${detail}). If this is an AWS permission or service error, check that the credentials in use may call the read-only APIs listed in the README; otherwise run again with MINEWATCH_DEBUG=1 and report the output.`,
  };
}
