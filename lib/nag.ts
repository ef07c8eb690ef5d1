/**
 * Acknowledgments of cdk-nag findings on resources this library creates, written in the
 * construct metadata that cdk-nag 3 reads, so that the library needs no dependency on cdk-nag.
 *
 * Not exported from the package index: users acknowledge their own resources with
 * `Validations.of(construct).acknowledge()`.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag rule, or one finding of it (`RuleId[Finding]`), on a construct and
 * everything below it.
 *
 * `Validations.acknowledge()` refuses ids with more than one `::`, which every finding on an
 * ARN has (`Resource::arn:<AWS::Partition>:…`), so the metadata entry is written directly.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/**
 * How cdk-nag writes a CloudFormation reference inside a finding id: `<Logical.Attr>` for
 * `Fn::GetAtt`, `<Name>` for `Ref`, with `Fn::Join` flattened.
 */
export function nagReference(scope: IConstruct, value: string): string {
  return flatten(Token.isUnresolved(value) ? Stack.of(scope).resolve(value) : value);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return `<${object.Ref}>`;
    if ('Fn::GetAtt' in object) {
      const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
      return `<${logicalId}.${attribute}>`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
  }
  return JSON.stringify(value);
}
