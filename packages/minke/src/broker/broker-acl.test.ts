import { createTopics } from '@minke/protocol';
import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, mayUseClientId, type BrokerIdentity } from './broker-acl.js';

const topics = createTopics('minke/v1');
const web1: BrokerIdentity = { kind: 'agent', node: 'web1' };
const server: BrokerIdentity = { kind: 'server' };

describe('broker ACL', () => {
  it('lets an agent publish only its own results and presence', () => {
    expect(mayPublish(web1, 'minke/v1/res/web1', topics)).toBe(true);
    expect(mayPublish(web1, 'minke/v1/presence/web1', topics)).toBe(true);
    for (const topic of [
      'minke/v1/res/web2',
      'minke/v1/presence/web2',
      'minke/v1/req/all',
      'minke/v1/req/node/web1',
      'minke/v1/ack/web1',
      'minke/v1/res/+',
      'minke/v1/res/web1/x',
      'other/topic',
      '$SYS/x',
    ])
      expect(mayPublish(web1, topic, topics), topic).toBe(false);
  });

  it('lets an agent subscribe only to the broadcast, its requests and its acknowledgements', () => {
    for (const topic of ['minke/v1/req/all', 'minke/v1/req/node/web1', 'minke/v1/ack/web1'])
      expect(maySubscribe(web1, topic, topics), topic).toBe(true);
    for (const topic of [
      'minke/v1/req/node/web2',
      'minke/v1/req/node/+',
      'minke/v1/req/#',
      'minke/v1/ack/+',
      'minke/v1/res/+',
      'minke/v1/#',
      '#',
    ])
      expect(maySubscribe(web1, topic, topics), topic).toBe(false);
  });

  it('lets the server use every topic under the prefix, and nothing else', () => {
    expect(mayPublish(server, 'minke/v1/req/all', topics)).toBe(true);
    expect(mayPublish(server, 'minke/v1/ack/web1', topics)).toBe(true);
    expect(maySubscribe(server, 'minke/v1/res/+', topics)).toBe(true);
    expect(mayPublish(server, 'elsewhere/x', topics)).toBe(false);
    expect(maySubscribe(server, '#', topics)).toBe(false);
  });

  it('ties an agent to its own client id', () => {
    expect(mayUseClientId(web1, 'minke-agent-web1')).toBe(true);
    expect(mayUseClientId(web1, 'minke-agent-web2')).toBe(false);
    expect(mayUseClientId(web1, 'web1')).toBe(false);
    expect(mayUseClientId(server, 'minke-server-1234')).toBe(true);
    expect(mayUseClientId(server, 'minke-agent-web1')).toBe(false);
  });
});
