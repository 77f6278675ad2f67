/**
 * An in-memory report bucket behind aws-sdk-client-mock: PutObject stores, GetObject reads back (or
 * answers NoSuchKey like S3 does when the caller may list the bucket), so a test can run the
 * organization's Lambdas one after another as the state machine would.
 */
import { GetObjectCommand, type GetObjectCommandOutput, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";

export const BUCKET = "minewatch-org-reports";

export function fakeBucket() {
  const objects = new Map<string, string>();
  const mock = mockClient(S3Client);
  mock.on(PutObjectCommand).callsFake((input: { Bucket?: string; Key?: string; Body?: unknown }) => {
    objects.set(`${input.Bucket}/${input.Key}`, String(input.Body));
    return { ETag: '"etag"' };
  });
  mock.on(GetObjectCommand).callsFake((input: { Bucket?: string; Key?: string }) => {
    const text = objects.get(`${input.Bucket}/${input.Key}`);
    if (text === undefined) {
      throw Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" });
    }
    return { Body: { transformToString: async () => text } as unknown as GetObjectCommandOutput["Body"] };
  });
  return {
    mock,
    client: new S3Client({ region: "us-east-1" }),
    objects,
    json: (key: string): unknown => {
      const text = objects.get(`${BUCKET}/${key}`);
      if (text === undefined)
        throw new Error(`no object ${key} in the fake bucket (has: ${[...objects.keys()].join(", ")})`);
      return JSON.parse(text);
    },
    put: (key: string, document: unknown) => objects.set(`${BUCKET}/${key}`, JSON.stringify(document)),
  };
}
