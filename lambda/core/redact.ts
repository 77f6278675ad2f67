/**
 * Secret redaction for text read from an account (user data, task definitions, buildspecs).
 *
 * User data often carries credentials next to the evidence we need, so the EC2 collector redacts it
 * before it is stored, and reports quote only matched lines, redacted again here. Redaction errs on
 * the side of hiding: a wrongly hidden value costs a responder a look at the instance; a leaked
 * secret ends up in an email, an S3 report and a ticket.
 *
 * What stays readable on purpose: miner command lines (binary, pool URL, wallet address, short
 * pool passwords such as `-p x` or `-p worker1`): they are the evidence.
 */

export const REDACTED = "[REDACTED]";

/** Pool passwords up to this length are conventionally worker names or `x`: kept as evidence. */
const MAX_KEPT_FLAG_VALUE = 12;

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g;

/** scheme://user:password@host: the user stays (it names the account), the password goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/:@'"]{1,256}):([^\s/@'"]{1,256})@/gi;

/** Access key ids of long-term users (AKIA), temporary credentials (ASIA) and similar secrets. */
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g;

/** Well-known token formats that are secret wherever they appear. */
const KNOWN_TOKENS = [
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b[sr]k_live_[A-Za-z0-9]{16,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
];

/** `Authorization: Bearer abc`, `Authorization: Basic abc=`, or a bare `Bearer abc` in a curl line. */
const AUTHORIZATION_HEADER =
  /\b(authorization[ \t]*[:=][ \t]*["']?)(?:(bearer|basic|token|digest|aws4-hmac-sha256)[ \t]+)?([^\s"']+)/gi;
const BEARER_TOKEN = /\b(bearer[ \t]+)([A-Za-z0-9._~+/=-]{8,})/gi;

/** Header-style secrets written with dashes (x-api-key: abc), which the assignment pattern skips. */
const SECRET_HEADER = /\b((?:x-)?(?:api-key|auth-token|access-token|secret-key)[ \t]*:[ \t]*["']?)([^\s"']+)/gi;

/**
 * NAME = value / NAME: value / "NAME": "value" where NAME mentions a secret. The name may carry a
 * prefix or suffix (DB_PASSWORD, GITHUB_TOKEN, api_key_prod) but must not follow a dash, so
 * command-line flags (--password x, --secret-id y) are handled by their own rule or kept.
 */
const SECRET_NAME =
  "(?:aws_secret_access_key|secret_?access_?key|session_?token|password|passwd|passphrase|pwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret|credentials?)";
const SECRET_ASSIGNMENT = new RegExp(
  `(?<![\\w-])([A-Za-z0-9_]{0,40}${SECRET_NAME}[A-Za-z0-9_]{0,40}["']?[ \\t]*[:=][ \\t]*)("[^"\\n]*"|'[^'\\n]*'|[^\\s"'&;,]+)`,
  "gi",
);

/** `aws configure set aws_secret_access_key VALUE` and similar: strong names with a space separator. */
const SECRET_NAME_SPACE_VALUE =
  /(?<![\w-])((?:aws_secret_access_key|aws_session_token|secret_access_key)["']?[ \t]+)(?![=:])("[^"\n]*"|'[^'\n]*'|[^\s"'&;,]+)/gi;

/** `--pass value`, `--password=value`, `-p value`: long values redacted, short pool passwords kept. */
const PASSWORD_FLAG = /(?<![\w-])(-p|--pass|--passwd|--password)([ \t]+|=)("[^"\n]*"|'[^'\n]*'|[^\s"'&;]+)/g;

/**
 * A standalone 40-character base64 run with mixed case and a digit: the shape of an AWS secret
 * access key. Hex digests (git SHA-1) are lower case only and not matched; longer runs (wallet
 * addresses, certificates) are excluded by the boundaries.
 */
const STANDALONE_SECRET_KEY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** True for values that are not literal secrets: `$VAR`, `${VAR}`, `$(cmd)`, `{{resolve:...}}`, already redacted. */
function isReference(value: string): boolean {
  const bare = value.replace(/^["']|["']$/g, "");
  return bare === "" || bare.startsWith("$") || bare.startsWith("{{") || bare === REDACTED;
}

/** Redacts `value`, keeping its quotes so the line still reads as the same statement. */
function redactValue(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    return `${quote}${REDACTED}${quote}`;
  }
  return REDACTED;
}

function looksLikeSecretKey(candidate: string): boolean {
  return /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /\d/.test(candidate);
}

/** Replaces secret-looking values in `text` with [REDACTED]; everything else is left as it was. */
export function redactSecrets(text: string): string {
  let out = text.replace(PEM_PRIVATE_KEY, (_m, kind: string, block: string | undefined) => {
    const label = `${kind}PRIVATE KEY${block ?? ""}`;
    return `-----BEGIN ${label}-----\n${REDACTED}\n-----END ${label}-----`;
  });
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  out = out.replace(AUTHORIZATION_HEADER, (m, name: string, scheme: string | undefined, value: string) =>
    isReference(value) ? m : `${name}${scheme ? `${scheme} ` : ""}${REDACTED}`,
  );
  out = out.replace(BEARER_TOKEN, (m, prefix: string, value: string) =>
    isReference(value) ? m : `${prefix}${REDACTED}`,
  );
  out = out.replace(SECRET_HEADER, (m, name: string, value: string) => (isReference(value) ? m : `${name}${REDACTED}`));
  out = out.replace(AWS_ACCESS_KEY_ID, REDACTED);
  for (const pattern of KNOWN_TOKENS) out = out.replace(pattern, REDACTED);
  out = out.replace(SECRET_NAME_SPACE_VALUE, (m, name: string, value: string) =>
    isReference(value) ? m : `${name}${redactValue(value)}`,
  );
  out = out.replace(SECRET_ASSIGNMENT, (m, name: string, value: string) =>
    isReference(value) ? m : `${name}${redactValue(value)}`,
  );
  out = out.replace(PASSWORD_FLAG, (m, flag: string, separator: string, value: string) => {
    const bare = value.replace(/^["']|["']$/g, "");
    // Paths (mkdir -p /opt/x) and references are not passwords; short values are pool passwords.
    if (isReference(value) || /^[/~.]/.test(bare) || bare.length <= MAX_KEPT_FLAG_VALUE) return m;
    return `${flag}${separator}${redactValue(value)}`;
  });
  out = out.replace(STANDALONE_SECRET_KEY, (m) => (looksLikeSecretKey(m) ? REDACTED : m));
  return out;
}

/** Drops control characters (terminal escapes, NULs) that have no place in a report. */
function printable(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").replace(/\t/g, " ");
}

/**
 * A line made fit for quoting in a report: redacted, control characters removed, trimmed, and at
 * most `max` characters. When the line is longer and `focus` is given, the kept part is the one
 * around `focus`, so the evidence is not cut off in a long one-liner.
 */
export function quoteLine(line: string, max = 160, focus?: string): string {
  const clean = printable(redactSecrets(line)).trim();
  if (clean.length <= max) return clean;
  const ellipsis = "...";
  const room = Math.max(1, max - 2 * ellipsis.length);
  const focusLength = focus?.length ?? 0;
  const at = focus ? clean.toLowerCase().indexOf(focus.toLowerCase()) : -1;
  if (at < 0 || at + focusLength <= max - ellipsis.length) {
    return `${clean.slice(0, max - ellipsis.length)}${ellipsis}`;
  }
  const start = Math.max(0, Math.min(at - Math.floor((room - focusLength) / 2), clean.length - room));
  const end = Math.min(clean.length, start + room);
  return `${start > 0 ? ellipsis : ""}${clean.slice(start, end)}${end < clean.length ? ellipsis : ""}`;
}
