/**
 * A ClientFactory for tests: the clients a test configures, and for every other service a factory
 * method that throws, so an unexpected AWS call fails loudly instead of reaching AWS.
 */
import type { ClientFactory } from "../../lambda/collect/clients.js";

const SERVICES: (keyof ClientFactory)[] = [
  "ec2",
  "cloudWatch",
  "costExplorer",
  "sts",
  "cloudTrail",
  "guardDuty",
  "ecs",
  "lambda",
  "sageMaker",
  "codeBuild",
  "amplify",
  "autoScaling",
  "s3",
  "cloudFront",
  "organizations",
];

export function fakeClientFactory(configured: Partial<ClientFactory>): ClientFactory {
  const unconfigured = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      (region?: string) => {
        throw new Error(`test made an unexpected ${service} call${region ? ` in ${region}` : ""}: configure a mock`);
      },
    ]),
  ) as unknown as ClientFactory;
  return { ...unconfigured, ...configured };
}
