import { SetupError } from '../errors.js';

/** What listens where, and how a user moves it. */
export type Listener = 'web' | 'mqtt';

const HOW_TO_MOVE: Record<Listener, string> = {
  web: 'choose another with --port N or MINKE_PORT (server.port in minke.config.ts)',
  mqtt: 'the embedded MQTT broker needs it: choose another with MINKE_MQTT_PORT (mqtt.port in minke.config.ts), or point MINKE_MQTT_URL at an external broker',
};

/**
 * Runs `listen` and turns "address in use" into a message that names the port, the address and
 * how to change it; Node's own says only `listen EADDRINUSE: address already in use`.
 */
export async function listenOrExplain<T>(
  listener: Listener,
  where: { port: number; host: string },
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const what = listener === 'web' ? 'web server and API' : 'MQTT broker';
      const reason = code === 'EADDRINUSE' ? 'is already in use' : 'may not be used by this user';
      throw new SetupError(
        `port ${where.port} on ${where.host} ${reason}, so the ${what} cannot listen there: ${HOW_TO_MOVE[listener]}`,
      );
    }
    throw error;
  }
}
