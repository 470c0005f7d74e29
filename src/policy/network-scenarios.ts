import type { ReadStatement } from './read-policy.js';

/** Condition keys that say where a request comes from; offline, only the policy itself can tell what they will be. */
const PUBLIC_NETWORK_KEYS = ['aws:SourceIp'];
const VPC_NETWORK_KEYS = ['aws:SourceVpc', 'aws:SourceVpce', 'aws:VpcSourceIp'];
const PLACEHOLDER_IP = '192.0.2.1';

/**
 * The network contexts to evaluate requests in: "from a place this policy allows".
 * A policy without network conditions gets one empty context. With them, one context for
 * the public internet (aws:SourceIp) and/or one for a VPC endpoint (aws:SourceVpc, ...),
 * since AWS never sets both kinds on one request. Values come from the policy's own
 * conditions (the first address of a CIDR block, a wildcard made concrete).
 */
export function networkScenarios(statements: readonly ReadStatement[]): Array<Record<string, string>> {
  const mentioned = new Map<string, string | undefined>();
  for (const statement of statements) {
    for (const [operator, keys] of Object.entries(statement.conditions)) {
      for (const [key, values] of Object.entries(keys)) {
        const name = [...PUBLIC_NETWORK_KEYS, ...VPC_NETWORK_KEYS].find((candidate) => candidate.toLowerCase() === key.toLowerCase());
        if (name === undefined) continue;
        const value = namesAllowedPlace(operator, statement.effect) ? values[0] : undefined;
        if (mentioned.get(name) === undefined) mentioned.set(name, value === undefined ? undefined : concreteValue(name, value));
      }
    }
  }
  const scenario = (keys: readonly string[]) =>
    Object.fromEntries(keys.filter((key) => mentioned.has(key)).map((key) => [key, mentioned.get(key) ?? (key.endsWith('Ip') ? PLACEHOLDER_IP : 'unknown')]));
  const scenarios = [scenario(PUBLIC_NETWORK_KEYS), scenario(VPC_NETWORK_KEYS)].filter((context) => Object.keys(context).length > 0);
  return scenarios.length > 0 ? scenarios : [{}];
}

/** `IpAddress` in an Allow, or `NotIpAddress` in a Deny, lists places the policy lets requests come from. */
function namesAllowedPlace(operator: string, effect: 'Allow' | 'Deny'): boolean {
  const base = operator.replace(/^For(Any|All)Value:/i, '').replace(/IfExists$/i, '');
  const negated = /^(Not|StringNot|ArnNot)/i.test(base);
  return effect === 'Allow' ? !negated : negated;
}

function concreteValue(key: string, value: string): string {
  if (key.endsWith('Ip')) return value.split('/')[0] as string;
  return value.replace(/[*?]/g, '0');
}
