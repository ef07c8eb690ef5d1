import {
  DescribeEventSourceCommand,
  EventBridgeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describePartnerSource, eventBridgeClient } from '../lib/lifecycle/event-source';

const NAME = 'aws.partner/genesys.com/cloud/5f0c3a3e-8a51-4c1e-9d3b-0e6f5a7b2c91/prod';
const ARN = `arn:aws:events:us-east-1::event-source/${NAME}`;
const eventBridge = mockClient(EventBridgeClient);

function describe(): ReturnType<typeof describePartnerSource> {
  return describePartnerSource(eventBridgeClient('us-east-1'), NAME);
}

beforeEach(() => eventBridge.reset());

test('a source that does not exist yet is NOT_FOUND', async () => {
  eventBridge.on(DescribeEventSourceCommand)
    .rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));

  await expect(describe()).resolves.toEqual({ exists: false, state: 'NOT_FOUND' });
});

test.each(['PENDING', 'ACTIVE'] as const)('a %s source exists', async (state) => {
  const expires = new Date('2030-01-01T00:00:00Z');
  eventBridge.on(DescribeEventSourceCommand, { Name: NAME })
    .resolves({ Name: NAME, State: state, Arn: ARN, ExpirationTime: expires });

  await expect(describe()).resolves.toEqual({
    exists: true,
    state,
    arn: ARN,
    expiresAt: '2030-01-01T00:00:00.000Z',
  });
});

test('a DELETED source is gone', async () => {
  eventBridge.on(DescribeEventSourceCommand).resolves({ Name: NAME, State: 'DELETED' });

  await expect(describe()).resolves.toEqual({ exists: false, state: 'DELETED' });
});

test('other errors propagate', async () => {
  const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
  eventBridge.on(DescribeEventSourceCommand).rejects(denied);

  await expect(describe()).rejects.toThrow('denied');
});

test('one client per region, in the region asked for', async () => {
  const client = eventBridgeClient('eu-west-1');

  expect(eventBridgeClient('eu-west-1')).toBe(client);
  expect(eventBridgeClient('us-west-2')).not.toBe(client);
  await expect(client.config.region()).resolves.toBe('eu-west-1');
});
