import type { Db } from './db.js'
import { EVENT_TYPES } from '../http/schemas/events.js'

/**
 * Everything that must hold in a stored world; an empty list means consistent. Used by the
 * property-based, isolation and durability suites after they have done their worst.
 */
export function integrityProblems (db: Db): string[] {
  const problems: string[] = []
  const integrity = db.pragma('integrity_check', { simple: true })
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
  for (const row of db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>) {
    problems.push(`foreign key: ${row.table} row ${row.rowid} has no ${row.parent}`)
  }
  const checks: Array<[string, string]> = [
    [
      'a user with no role',
      'SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id)'
    ],
    [
      'a user holding a role of another organization',
      `SELECT ur.user_id AS id FROM user_roles ur JOIN users u ON u.id = ur.user_id JOIN roles r ON r.id =
        ur.role_id WHERE u.organization_id <> r.organization_id`
    ],
    [
      'an organization without its Admin role',
      `SELECT o.id FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.organization_id = o.id AND
        r.kind = 'admin')`
    ],
    [
      'an organization without its Member role',
      `SELECT o.id FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.organization_id = o.id AND
        r.kind = 'member')`
    ],
    [
      'a key of a user in another organization',
      `SELECT k.key_hash AS id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.organization_id <>
        k.organization_id`
    ],
    [
      'a partner whose owner organization is not its own',
      'SELECT p.id FROM partners p LEFT JOIN organizations o ON o.id = p.organization_id WHERE o.partner_id IS NOT p.id'
    ],
    ['an email that is not normalized', 'SELECT id FROM users WHERE email <> lower(trim(email))'],
    [
      'a policy granting an action to a role that is not of its organization',
      `SELECT p.id FROM policies p, json_each(p.actions) a, json_each(a.value, '$.role_ids') r WHERE NOT EXISTS
        (SELECT 1 FROM roles WHERE id = r.value AND organization_id = p.organization_id)`
    ],
    [
      "a connection, model or sync naming a policy that is not its organization's",
      ['connections:policies:$', 'models:definition:$.policies', 'model_syncs:definition:$.policies',
        'bulk_syncs:definition:$.policies']
        .map((spec) => spec.split(':') as [string, string, string])
        .map(([table, column, path]) => `SELECT t.id FROM ${table} t, json_each(t.${column}, '${path}') j WHERE NOT
          EXISTS (SELECT 1 FROM policies p WHERE p.id = j.value AND p.organization_id = t.organization_id)`)
        .join(' UNION ALL ')
    ],
    ['a global error subscriber that is not a normalized email', `SELECT s.organization_id AS id FROM
      error_subscribers s, json_each(s.emails) e WHERE e.value <> lower(trim(e.value)) OR e.value NOT LIKE '%_@_%'`],
    [
      'a shared connection whose parent is itself shared',
      'SELECT c.id FROM connections c JOIN connections p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL'
    ],
    [
      "a shared connection in its parent's organization",
      `SELECT c.id FROM connections c JOIN connections p ON p.id = c.parent_id WHERE p.organization_id =
        c.organization_id`
    ],
    [
      'a connection whose configuration is not a JSON object',
      `SELECT id FROM connections WHERE configuration IS NOT NULL AND (json_valid(configuration) = 0 OR
        json_type(configuration) <> 'object')`
    ],
    [
      'a connection name that is not unique in its organization',
      'SELECT min(id) AS id FROM connections GROUP BY organization_id, name_key HAVING count(*) > 1'
    ],
    [
      'a webhook whose endpoint is not an http(s) URL',
      "SELECT id FROM webhooks WHERE endpoint NOT LIKE 'http://%' AND endpoint NOT LIKE 'https://%'"
    ],
    [
      'an event of an unknown type',
      `SELECT id FROM events WHERE type NOT IN (${EVENT_TYPES.map((type) => `'${type}'`).join(', ')})`
    ],
    [
      'an event whose payload is not a JSON object',
      "SELECT id FROM events WHERE json_valid(payload) = 0 OR json_type(payload) <> 'object'"
    ],
    ['a queued delivery whose body is not JSON', 'SELECT id FROM deliveries WHERE json_valid(body) = 0'],
    [
      'a bulk sync with a connection of another organization',
      `SELECT b.id FROM bulk_syncs b JOIN connections s ON s.id = b.source_connection_id JOIN connections d ON d.id
        = b.destination_connection_id
      WHERE s.organization_id <> b.organization_id OR d.organization_id <> b.organization_id`
    ],
    [
      'a model sync whose target is in another organization',
      `SELECT m.id FROM model_syncs m JOIN connections c ON c.id = m.target_connection_id WHERE c.organization_id
        <> m.organization_id`
    ],
    [
      'a model on a connection of another organization',
      `SELECT m.id FROM models m JOIN connections c ON c.id = m.connection_id WHERE c.organization_id <>
        m.organization_id`
    ],
    [
      'a model sync reading a model of another organization',
      `SELECT l.sync_id AS id FROM model_sync_models l JOIN model_syncs s ON s.id = l.sync_id JOIN models m ON
        m.id = l.model_id WHERE m.organization_id <> s.organization_id`
    ],
    [
      'an execution in another organization than its sync',
      `SELECT e.id FROM executions e LEFT JOIN bulk_syncs b ON b.id = e.bulk_sync_id LEFT JOIN model_syncs m ON
        m.id = e.model_sync_id
      WHERE coalesce(b.organization_id, m.organization_id) IS NOT e.organization_id`
    ],
    [
      'a sync with more than one active execution',
      `SELECT min(id) AS id FROM executions WHERE status IN ('created', 'running', 'canceling') GROUP BY
        coalesce(bulk_sync_id, model_sync_id) HAVING count(*) > 1`
    ],
    [
      'an execution of an unknown status',
      `SELECT id FROM executions WHERE status NOT IN ('created', 'running', 'canceling', 'completed', 'failed',
        'canceled')`
    ],
    [
      'a finished execution still due to change',
      "SELECT id FROM executions WHERE status IN ('completed', 'failed', 'canceled') AND due_ms IS NOT NULL"
    ],
    [
      'a sync definition that is not a JSON object',
      `SELECT id FROM bulk_syncs WHERE json_type(definition) IS NOT 'object' UNION ALL SELECT id FROM model_syncs
        WHERE json_type(definition) IS NOT 'object' UNION ALL SELECT id FROM models WHERE json_type(definition) IS
        NOT 'object'`
    ]
  ]
  for (const [what, sql] of checks) {
    for (const row of db.prepare(sql).all() as Array<{ id: string }>) problems.push(`${what}: ${row.id}`)
  }
  return problems
}
