// One gateway process for `npm run bench -- agents --broker URL --gateways G` (see
// agents-shared.ts): the agent services of one Minke server on an external broker, in an MQTT 5
// shared-subscription group, as one `minke serve` with MINKE_MQTT_URL and
// MINKE_MQTT_SHARED_GROUP set runs them. It reports what its gateway received and stored.
import { join } from 'node:path';
import { resolveConfig } from '../src/config/resolve-config.js';
import { startAgentServices } from '../src/facts/start-agent-services.js';
import { openProject } from '../src/runtime/open-project.js';

export type ToGateway =
  | {
      type: 'start';
      dir: string;
      database: string;
      brokerUrl: string;
      topicPrefix: string;
      sharedGroup: string;
    }
  | { type: 'stats' }
  | { type: 'stop' };

export type FromGateway =
  | { type: 'loaded' }
  | { type: 'ready' }
  | { type: 'stats'; received: number; stored: number; duplicates: number; presences: number }
  | { type: 'error'; message: string };

const send = (message: FromGateway) => process.send?.(message);
let stop: (() => Promise<void>) | undefined;
let stats: (() => FromGateway) | undefined;

process.on('message', (message: ToGateway) => {
  void handle(message).catch((error: Error) => send({ type: 'error', message: error.message }));
});
send({ type: 'loaded' });

async function handle(message: ToGateway): Promise<void> {
  if (message.type === 'start') {
    const { dir, database, brokerUrl, topicPrefix, sharedGroup } = message;
    const config = { database, mqtt: { url: brokerUrl, topicPrefix, sharedGroup } };
    const project = await openProject(
      resolveConfig(config, { projectDir: dir, configFile: join(dir, 'minke.config.ts') }, {}),
      { migrate: false },
    );
    const services = await startAgentServices(project);
    await services.gateway.ready;
    stats = () => {
      const { received, stored, duplicates, presences } = services.gateway.stats;
      return { type: 'stats', received, stored, duplicates, presences };
    };
    stop = async () => {
      await services.close();
      await project.close();
    };
    send({ type: 'ready' });
  } else if (message.type === 'stats') {
    if (stats) send(stats());
  } else {
    await stop?.();
    process.exit(0);
  }
}
