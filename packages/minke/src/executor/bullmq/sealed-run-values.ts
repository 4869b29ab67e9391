import { open, seal } from '../../credentials/credential-cipher.js';
import { splitSecretValues } from '../../session/form-meta.js';
import type { RunPlan } from '../executor.js';
import {
  ensureSecretKey,
  loadSecretKeyring,
  type SecretKeySource,
} from '../../credentials/secret-key.js';

/** A run's secret values as they travel in a queued job: encrypted, with the key's id beside. */
export interface SealedRunValues {
  keyId: string;
  ciphertext: string;
}

/** What a run carries that must not sit in the queue in clear. */
export interface RunValues {
  /** The run-time connection layer (a form's sudo password, the request's `connection`). */
  connection?: Record<string, unknown> | undefined;
  /** Form values marked `secret: true` (or named like a secret), left out of the job's data. */
  data?: Record<string, unknown> | undefined;
}

/**
 * A plan's form data split in what may travel in clear and what may not (fields marked
 * `secret: true`, or named like a secret), with its run-time connection layer.
 */
export function splitRunValues(plan: RunPlan): {
  data: Record<string, unknown>;
  values: RunValues | undefined;
} {
  const { clear: data, secret } = splitSecretValues(plan.session, plan.data);
  const hasSecret = Object.keys(secret).length > 0;
  if (plan.connection === undefined && !hasSecret) return { data, values: undefined };
  return { data, values: { connection: plan.connection, data: hasSecret ? secret : undefined } };
}

/** Binds the ciphertext to its run: copied into another run's job, it no longer opens. */
function associatedData(runId: number): Buffer {
  return Buffer.from(`minke-run-values/v1\0${runId}`, 'utf8');
}

/**
 * Encrypts a run's secret values with the credentials store's key (AES-256-GCM), creating the
 * key as the store does on first use: the server queues, workers holding the same key open.
 */
export async function sealRunValues(
  source: SecretKeySource,
  runId: number,
  values: RunValues,
): Promise<SealedRunValues> {
  const key = await ensureSecretKey(source);
  const plaintext = Buffer.from(JSON.stringify(values), 'utf8');
  return { keyId: key.id, ciphertext: seal(key, plaintext, associatedData(runId)) };
}

/**
 * Decrypts `sealRunValues`' output on a worker, which never creates a key. Errors name the key's
 * id and where the worker looked, never a value.
 */
export async function openRunValues(
  source: SecretKeySource,
  runId: number,
  sealed: SealedRunValues,
): Promise<RunValues> {
  const keyring = await loadSecretKeyring(source);
  const key = keyring.get(sealed.keyId);
  if (!key) {
    throw new Error(
      `the run-time values of run ${runId} were encrypted with secret key ${sealed.keyId}, ` +
        `which this worker does not have (it read ${keyring.describe()}): ` +
        'give the worker the same key as the server (MINKE_SECRET_KEY or MINKE_SECRET_KEY_FILE)',
    );
  }
  const plain = open(key, sealed.ciphertext, associatedData(runId));
  const values = plain && parseValues(plain.toString('utf8'));
  if (!values) {
    throw new Error(
      `the run-time values of run ${runId} cannot be decrypted with secret key ${sealed.keyId}: ` +
        'they were altered or belong to another run',
    );
  }
  return values;
}

function parseValues(text: string): RunValues | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}
