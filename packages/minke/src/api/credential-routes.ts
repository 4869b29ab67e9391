import { z } from 'zod';
import type { credentialSecretInput as secretInput } from '@minke/contract';
import {
  credentialInfo,
  credentialReplaceBody as replaceInput,
  credentialsQuery,
  newCredentialBody,
} from '@minke/contract';
import { requireManageCredentials } from '../credentials/credential-permissions.js';
import { credentialStoreOf } from '../credentials/credential-reader.js';
import type { CredentialSecret } from '../credentials/credential-secret.js';
import { InputError } from '../errors.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, nameParams } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/** The secret a replace body gives, its type told by `type` or by which field is there. */
function replacementOf(input: z.infer<typeof replaceInput>): CredentialSecret {
  const type = input.type ?? (input.privateKey !== undefined ? 'ssh-key' : 'password');
  if (type === 'password') {
    if (input.password === undefined)
      throw new InputError('a password credential needs a password', {
        fields: { password: 'required' },
      });
    return { type, password: input.password };
  }
  if (input.privateKey === undefined)
    throw new InputError('an ssh-key credential needs a privateKey', {
      fields: { privateKey: 'required' },
    });
  return { type, privateKey: input.privateKey, passphrase: input.passphrase };
}

function secretOf(input: z.infer<typeof secretInput>): CredentialSecret {
  return input.type === 'password'
    ? { type: 'password', password: input.password }
    : { type: 'ssh-key', privateKey: input.privateKey, passphrase: input.passphrase };
}

/**
 * Credentials, write-only: list (name, type, fingerprint, who and when), create, replace and
 * delete; no route returns a secret. Superusers, or the manage_credentials permission.
 */
export const credentialRoutes: ApiRoutes = (app, { project }) => {
  const store = () => credentialStoreOf(project);
  const manager = (request: Parameters<typeof principalOf>[0]) => {
    const principal = principalOf(request);
    requireManageCredentials(principal.access);
    return principal.user.username;
  };

  app.get(
    '/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'List credentials (never their secrets)',
        querystring: credentialsQuery,
        response: { 200: z.array(credentialInfo) },
      },
    },
    async (request) => {
      manager(request);
      return store().list();
    },
  );

  app.post(
    '/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Store a new credential; the reply shows its name, type and fingerprint only',
        body: newCredentialBody,
        response: {
          201: credentialInfo,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      const by = manager(request);
      const { name, ...secret } = request.body;
      return reply.code(201).send(await store().create(name, secretOf(secret), by));
    },
  );

  const replace = {
    schema: {
      tags: ['credentials'],
      summary:
        'Give a credential a new secret (of either type; `type` told by the fields if absent)',
      params: nameParams,
      body: replaceInput,
      response: {
        200: credentialInfo,
      },
    },
  };
  const replaceHandler = async (request: {
    params: { name: string };
    body: z.infer<typeof replaceInput>;
  }) => {
    const by = manager(request as Parameters<typeof principalOf>[0]);
    return store().replace(request.params.name, replacementOf(request.body), by);
  };
  app.put('/credentials/:name', replace, replaceHandler);
  app.patch('/credentials/:name', replace, replaceHandler);

  deleteRoute(
    app,
    '/credentials/:name',
    {
      tags: ['credentials'],
      summary: 'Delete a credential; hosts that name it fail to connect until changed',
      params: nameParams,
    },
    async ({ name }, request) => {
      manager(request);
      await store().delete(name);
    },
  );
};
