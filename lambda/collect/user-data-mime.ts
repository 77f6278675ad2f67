/**
 * Cloud-init MIME multipart user data, made readable. cloud-init runs each part of a
 * `multipart/mixed` message (shell scripts, cloud-config, boothooks), and a part may be
 * base64-encoded and even gzip-compressed inside. Stored as is, a miner's stratum URL in such a part
 * is invisible to MW-EC2-USERDATA-MINER; an attacker only has to encode it. So each encoded part is
 * decoded in place, its headers kept, before the text is redacted and stored.
 *
 * Only what cloud-init itself accepts: one level of nesting (a multipart part inside the message),
 * base64 transfer encoding, gzip bodies. Other encodings stay as they are.
 */
import { gunzipSync } from "node:zlib";

/** Decoded size allowed per part, like the whole-user-data gzip cap. */
const PART_MAX_BYTES = 1024 * 1024;
const MAX_DEPTH = 2;

/**
 * The message with its encoded parts decoded, or undefined when `text` is not a MIME multipart
 * message (the caller keeps the text as it is).
 */
export function expandMimeMultipart(text: string, depth = 0): string | undefined {
  const { headers, body } = splitHeaders(text);
  const boundary = multipartBoundary(headers);
  if (boundary === undefined || depth >= MAX_DEPTH) return undefined;
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  const out: string[] = [headers, "", pieces[0] ?? ""];
  for (const piece of pieces.slice(1)) {
    if (piece.startsWith("--")) {
      // The closing delimiter, then the epilogue.
      out.push(`${delimiter}${piece}`);
      continue;
    }
    out.push(`${delimiter}${expandPart(piece, depth)}`);
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}

function expandPart(piece: string, depth: number): string {
  const { headers, body } = splitHeaders(piece.replace(/^\r?\n/, ""));
  const encoding = headerValue(headers, "content-transfer-encoding")?.toLowerCase();
  let content = body;
  let note = "";
  if (encoding === "base64") {
    const decoded = decodeBase64Part(body);
    content = decoded.text;
    note = decoded.note;
  }
  const nested = expandMimeMultipart(`${headers}\n\n${content}`, depth + 1);
  if (nested !== undefined) return `\n${nested}\n`;
  return `\n${headers}${note ? `\n${note}` : ""}\n\n${content.trimEnd()}\n`;
}

/**
 * `bytes` gunzipped when they start with gzip's magic number (cloud-init accepts compressed user
 * data and parts), capped at `maxBytes`; `error` says why compressed bytes could not be read.
 */
export function gunzipIfCompressed(
  bytes: Buffer,
  maxBytes: number,
): { bytes: Buffer; gzipped: boolean; error?: string } {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { bytes, gzipped: false };
  try {
    return { bytes: gunzipSync(bytes, { maxOutputLength: maxBytes }), gzipped: true };
  } catch (error) {
    return { bytes, gzipped: true, error: error instanceof Error ? error.message : String(error) };
  }
}

function decodeBase64Part(body: string): { text: string; note: string } {
  const unzipped = gunzipIfCompressed(Buffer.from(body.replace(/\s+/g, ""), "base64"), PART_MAX_BYTES);
  if (unzipped.error) return { text: body, note: `[Minewatch: gzip part not decoded: ${unzipped.error}]` };
  const bytes = unzipped.bytes;
  const how = unzipped.gzipped ? "base64 and gzip" : "base64";
  if (looksBinary(bytes)) {
    return { text: "", note: `[Minewatch: ${how} part of ${bytes.length} bytes is binary, not shown]` };
  }
  return { text: bytes.toString("utf8"), note: `[Minewatch: decoded from ${how}]` };
}

/** Header block and body, split at the first blank line. */
function splitHeaders(text: string): { headers: string; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { headers: text, body: "" };
  return { headers: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

function headerValue(headers: string, name: string): string | undefined {
  // Folded header lines (continuations start with whitespace) are unfolded first.
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && line.slice(0, at).trim().toLowerCase() === name) return line.slice(at + 1).trim();
  }
  return undefined;
}

function multipartBoundary(headers: string): string | undefined {
  const type = headerValue(headers, "content-type");
  if (!type || !/^multipart\//i.test(type)) return undefined;
  const match = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  return match?.[1] ?? match?.[2];
}

/** NUL bytes or mostly non-text: an archive or binary, not something to quote. */
function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 4096);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 9 || (byte > 13 && byte < 32)) control += 1;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
