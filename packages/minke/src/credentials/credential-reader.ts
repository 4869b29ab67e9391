import type { Project } from '../operations/project.js';
import type { CredentialReader } from '../transport/secret.js';
import { CredentialStore } from './credential-store.js';
import { secretKeySource } from './secret-key.js';

/** The project's credentials store. Its key is read at each use, never cached in the process. */
export function credentialStoreOf(project: Pick<Project, 'database' | 'config'>): CredentialStore {
  return new CredentialStore(project.database, secretKeySource(project.config.projectDir));
}

/** What the transports read `{ credential }` references with, for this project. */
export function credentialReaderOf(
  project: Pick<Project, 'database' | 'config'>,
): CredentialReader {
  return credentialStoreOf(project).reader();
}
