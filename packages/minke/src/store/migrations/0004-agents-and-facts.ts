import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Agents and facts: enrolled agents (one per node, linked to the host of the same name), the
 * server's public signing keys (the private key never enters the database: it lives in a file of
 * the project, mode 600, or in `MINKE_SIGNING_KEY_FILE`), the request ledger and its per-node
 * targets, each node's current fact per plugin and the history of fact values (a row only when
 * the value changed).
 */
export function agentsAndFacts(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  const no = adapter.encodeBool(false);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_agents')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('node', types.text, (c) => c.notNull().unique())
        .addColumn('host_id', types.int, (c) => c.references('minke_hosts.id').onDelete('set null'))
        // argon2id of the agent's broker password; empty for agents first seen on an external
        // broker, which authenticates them itself.
        .addColumn('credential_hash', types.text)
        .addColumn('enrolled_at', types.datetime)
        .addColumn('last_seen', types.datetime)
        .addColumn('online', types.bool, (c) => c.notNull().defaultTo(no))
        .addColumn('agent_version', types.text)
        .addColumn('plugins', types.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('rejected', types.json, (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('minke_agents_host')
        .on('minke_agents')
        .column('host_id')
        .execute();

      await db.schema
        .createTable('minke_signing_keys')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        // base64 of the raw ed25519 public key, as agents are enrolled with it
        .addColumn('public_key', types.text, (c) => c.notNull().unique())
        .addColumn('active', types.bool, (c) => c.notNull().defaultTo(no))
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();

      await db.schema
        .createTable('minke_agent_requests')
        .addColumn('id', types.text, (c) => c.primaryKey()) // uuid
        .addColumn('plugin', types.text, (c) => c.notNull())
        // how the nodes were chosen: {"all":true} | {"nodes":[...]} | {"where":"..."}
        .addColumn('target', types.json, (c) => c.notNull())
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('expires_at', types.datetime, (c) => c.notNull())
        // open -> done (every target answered, failed or expired)
        .addColumn('state', types.text, (c) => c.notNull().defaultTo('open'))
        .addColumn('created_by', types.text)
        // a broadcast's signed message (published once on req/all); per-node messages are on
        // their targets
        .addColumn('signed', types.text)
        .addColumn('published_at', types.datetime)
        .execute();
      await db.schema
        .createIndex('minke_agent_requests_state')
        .on('minke_agent_requests')
        .column('state')
        .execute();

      await db.schema
        .createTable('minke_agent_request_targets')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('request_id', types.text, (c) =>
          c.notNull().references('minke_agent_requests.id').onDelete('cascade'),
        )
        .addColumn('node', types.text, (c) => c.notNull())
        // the id of the protocol request this node answers (the broadcast's id, or its own)
        .addColumn('message_id', types.text, (c) => c.notNull())
        .addColumn('signed', types.text)
        // pending -> delivered -> answered | failed; pending | delivered -> expired
        .addColumn('state', types.text, (c) => c.notNull().defaultTo('pending'))
        .addColumn('published_at', types.datetime)
        .addColumn('answered_at', types.datetime)
        .addColumn('result_id', types.text, (c) => c.unique())
        .addColumn('error', types.text)
        .addUniqueConstraint('minke_agent_request_targets_node', ['request_id', 'node'])
        .execute();
      await db.schema
        .createIndex('minke_agent_request_targets_message')
        .on('minke_agent_request_targets')
        .columns(['message_id', 'node'])
        .execute();
      await db.schema
        .createIndex('minke_agent_request_targets_state')
        .on('minke_agent_request_targets')
        .columns(['state', 'node'])
        .execute();

      await db.schema
        .createTable('minke_facts')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('agent_id', types.int, (c) =>
          c.notNull().references('minke_agents.id').onDelete('cascade'),
        )
        .addColumn('plugin', types.text, (c) => c.notNull())
        .addColumn('format', types.text, (c) => c.notNull())
        .addColumn('value', types.json, (c) => c.notNull())
        .addColumn('collected_at', types.datetime, (c) => c.notNull())
        .addColumn('request_id', types.text)
        // the result that set this value; a second copy of it is recognised and ignored
        .addColumn('result_id', types.text, (c) => c.notNull().unique())
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addUniqueConstraint('minke_facts_agent_plugin', ['agent_id', 'plugin'])
        .execute();
      await db.schema
        .createIndex('minke_facts_plugin')
        .on('minke_facts')
        .columns(['plugin', 'agent_id'])
        .execute();

      await db.schema
        .createTable('minke_fact_history')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('agent_id', types.int, (c) =>
          c.notNull().references('minke_agents.id').onDelete('cascade'),
        )
        .addColumn('plugin', types.text, (c) => c.notNull())
        .addColumn('format', types.text, (c) => c.notNull())
        .addColumn('value', types.json, (c) => c.notNull())
        .addColumn('collected_at', types.datetime, (c) => c.notNull())
        .addColumn('request_id', types.text)
        .addColumn('result_id', types.text, (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createIndex('minke_fact_history_agent_plugin')
        .on('minke_fact_history')
        .columns(['agent_id', 'plugin', 'collected_at'])
        .execute();
    },
  };
}
