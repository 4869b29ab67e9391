import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPIC_PREFIX, createTopics, parseTopic } from './topics.js';

describe('topics', () => {
  const topics = createTopics();

  it('builds the topics of ARCHITECTURE §3 under minke/v1', () => {
    expect(DEFAULT_TOPIC_PREFIX).toBe('minke/v1');
    expect(topics.requestAll).toBe('minke/v1/req/all');
    expect(topics.requestNode('web1')).toBe('minke/v1/req/node/web1');
    expect(topics.result('web1')).toBe('minke/v1/res/web1');
    expect(topics.resultAny).toBe('minke/v1/res/+');
    expect(topics.ack('web1')).toBe('minke/v1/ack/web1');
    expect(topics.presence('web1')).toBe('minke/v1/presence/web1');
    expect(topics.presenceAny).toBe('minke/v1/presence/+');
  });

  it('uses a configured prefix', () => {
    const custom = createTopics('acme/minke/v1');
    expect(custom.requestNode('db.example.org')).toBe('acme/minke/v1/req/node/db.example.org');
    expect(custom.parse('acme/minke/v1/req/all')).toEqual({
      kind: 'request',
      target: { all: true },
    });
    expect(custom.parse('minke/v1/req/all')).toBeNull();
  });

  it('parses each kind of topic back', () => {
    expect(parseTopic('minke/v1/req/all')).toEqual({ kind: 'request', target: { all: true } });
    expect(parseTopic('minke/v1/req/node/web1')).toEqual({
      kind: 'request',
      target: { node: 'web1' },
    });
    expect(parseTopic('minke/v1/res/web1')).toEqual({ kind: 'result', node: 'web1' });
    expect(parseTopic('minke/v1/ack/web1')).toEqual({ kind: 'ack', node: 'web1' });
    expect(parseTopic('minke/v1/presence/web1')).toEqual({ kind: 'presence', node: 'web1' });
  });

  it('returns null for topics that are not ours', () => {
    for (const topic of [
      'minke/v1',
      'minke/v1/',
      'minke/v2/req/all',
      'minke/v1/req/all/x',
      'minke/v1/req/node',
      'minke/v1/req/node/+',
      'minke/v1/res/a/b',
      'minke/v1/other/web1',
      'minke/v1x/res/web1',
    ]) {
      expect(parseTopic(topic), topic).toBeNull();
    }
  });

  it('refuses node names and prefixes that cannot be a topic level', () => {
    expect(() => topics.result('a/b')).toThrow(/node name/);
    expect(() => topics.requestNode('+')).toThrow(/node name/);
    expect(() => topics.presence('')).toThrow(/node name/);
    expect(() => createTopics('minke/#')).toThrow(/topic prefix/);
    expect(() => createTopics('minke//v1')).toThrow(/topic prefix/);
    expect(() => createTopics('')).toThrow(/topic prefix/);
  });
});
