import type { DatabaseHandle } from '../store/transaction.js';
import type { CredentialReader } from '../transport/config/secret.js';
import { CredentialStore } from './credential-store.js';
import { secretKeySource } from './secret-key.js';

/** Where a project keeps its credentials: its database, and its folder (for the secret key). */
export interface CredentialSources {
  database: DatabaseHandle;
  config: { projectDir: string };
}

/** The project's credentials store. Its key is read at each use, never cached in the process. */
export function credentialStoreOf(project: CredentialSources): CredentialStore {
  return new CredentialStore(project.database, secretKeySource(project.config.projectDir));
}

/** What the transports read `{ credential }` references with, for this project. */
export function credentialReaderOf(project: CredentialSources): CredentialReader {
  return credentialStoreOf(project).reader();
}
