import { describe, expect, it } from 'vitest';
import { countCommand, countConnectFailure } from './process-counts.js';

describe('counts made before prom-client is loaded', () => {
  it('reach /metrics once a server or worker loads the metrics, and later counts too', async () => {
    countCommand('success');
    countCommand('success');
    countCommand('error');
    countConnectFailure('timeout');
    const { processMetrics } = await import('./process-metrics.js');
    const commands = () => processMetrics.getSingleMetricAsString('minke_commands_total');
    expect(await commands()).toContain('minke_commands_total{status="success"} 2');
    expect(await commands()).toContain('minke_commands_total{status="error"} 1');
    expect(
      await processMetrics.getSingleMetricAsString('minke_ssh_connect_failures_total'),
    ).toContain('minke_ssh_connect_failures_total{reason="timeout"} 1');

    countCommand('success');
    expect(await commands()).toContain('minke_commands_total{status="success"} 3');
  });
});
