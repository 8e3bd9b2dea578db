/** The first columns of a table of an organization's resources. */
const OWNED = `    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,`
/** The audit columns, last in a table. */
const AUDITED = `    created_at TEXT NOT NULL,
    created_by TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT`
/** What both kinds of sync keep beside their connections: on or off, the body, the scheduling anchor. */
const SYNC_STATE = `    active INTEGER NOT NULL,
    definition TEXT NOT NULL,
    schedule_anchor_ms INTEGER NOT NULL,`

/**
 * The database schema, as numbered migrations. PRAGMA user_version records how
 * many have run; a database from a newer simulator is refused, never altered.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE partners (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key TEXT,
    organization_id TEXT NOT NULL REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED
  );

  CREATE TABLE organizations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    partner_id TEXT REFERENCES partners(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    sso_domain TEXT,
    sso_org_id TEXT,
    issuer TEXT,
    client_id TEXT,
    client_secret TEXT
  );
  CREATE INDEX organizations_partner ON organizations(partner_id);
  CREATE UNIQUE INDEX organizations_partner_name ON organizations(coalesce(partner_id, ''), name_key);

  CREATE TABLE roles (
${OWNED}
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('admin', 'member', 'custom')),
    UNIQUE (organization_id, name_key)
  );
  CREATE UNIQUE INDEX roles_system_kind ON roles(organization_id, kind) WHERE kind <> 'custom';

  CREATE TABLE users (
${OWNED}
    email TEXT NOT NULL,
    UNIQUE (organization_id, email)
  );

  CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, role_id)
  ) WITHOUT ROWID;
  CREATE INDEX user_roles_role ON user_roles(role_id);

  CREATE TRIGGER user_roles_same_organization BEFORE INSERT ON user_roles
  WHEN (SELECT organization_id FROM users WHERE id = NEW.user_id) IS NOT (SELECT organization_id FROM roles WHERE id = NEW.role_id)
  BEGIN SELECT RAISE(ABORT, 'user_roles: role belongs to another organization'); END;

  CREATE TABLE api_keys (
    seq INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    key TEXT,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE
  );
  CREATE INDEX api_keys_user ON api_keys(user_id);
  CREATE INDEX api_keys_organization ON api_keys(organization_id);

  CREATE TRIGGER api_keys_same_organization BEFORE INSERT ON api_keys
  WHEN NEW.user_id IS NOT NULL AND (SELECT organization_id FROM users WHERE id = NEW.user_id) IS NOT NEW.organization_id
  BEGIN SELECT RAISE(ABORT, 'api_keys: user belongs to another organization'); END;

  CREATE TABLE deployment_keys (
    seq INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    key TEXT
  );
  `,
  // 2: Idempotency-Key records (reference 7), kept with the world so they survive a restart.
  `
  CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status INTEGER,
    headers TEXT,
    body TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
  `,
  // 3: the same-organization rule for user roles is enforced by the store (UserRepository) and
  // checked by integrityProblems(); the trigger cost a third of every role write.
  `
  DROP TRIGGER user_roles_same_organization;
  `,
  // 4: connections (partner-surface reference 3): connection types a fixture document adds or
  // overrides, connections and their shared copies, and pending Connect sessions.
  `
  CREATE TABLE connection_types (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL
  );

  CREATE TABLE connections (
${OWNED}
    parent_id TEXT REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    type TEXT,
    configuration TEXT,
    policies TEXT NOT NULL DEFAULT '[]',
    healthcheck_interval TEXT,
    status TEXT NOT NULL DEFAULT 'healthy',
    status_error TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    UNIQUE (organization_id, name_key),
    CHECK ((parent_id IS NULL) = (type IS NOT NULL AND configuration IS NOT NULL))
  );
  CREATE INDEX connections_parent ON connections(parent_id);
  CREATE UNIQUE INDEX connections_one_share_per_organization ON connections(parent_id, organization_id) WHERE parent_id IS NOT NULL;

  CREATE TABLE connect_sessions (
    token TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    types TEXT NOT NULL,
    dark INTEGER NOT NULL,
    connection_id TEXT REFERENCES connections(id) ON DELETE CASCADE,
    actor TEXT,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX connect_sessions_organization ON connect_sessions(organization_id);
  CREATE INDEX connect_sessions_connection ON connect_sessions(connection_id);
  `,
  // 5: webhooks and the event log (partner-surface reference 4 and 5), and the delivery queue.
  // Deliveries hold no foreign keys: a world restored under them would cascade them all away, so
  // the queue drops those whose event or webhook is gone (DeliveryQueue.sweep) instead.
  `
  CREATE TABLE webhooks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL UNIQUE REFERENCES organizations(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    secret TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );

  CREATE TABLE events (
${OWNED}
    type TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX events_organization_time ON events(organization_id, created_ms);
  CREATE INDEX events_time ON events(created_ms);

  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    fault_id TEXT,
    fault_action TEXT
  );
  CREATE INDEX deliveries_due ON deliveries(due_ms);
  CREATE INDEX deliveries_event ON deliveries(event_id);
  CREATE INDEX deliveries_webhook ON deliveries(webhook_id);
  `,
  // 6: models, model syncs and bulk syncs (partner-surface reference 6, 7, 9), their executions,
  // and asynchronous jobs. A sync goes with its organization and with the connections it names
  // (ON DELETE CASCADE: the store refuses such a delete unless forced). Definitions are JSON of
  // the fields the API takes, already checked; columns hold what queries and rules read.
  `
  CREATE TABLE models (
${OWNED}
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
${AUDITED}
  );
  CREATE INDEX models_organization ON models(organization_id);
  CREATE INDEX models_connection ON models(connection_id);

  CREATE TABLE model_syncs (
${OWNED}
    target_connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mode TEXT NOT NULL,
${SYNC_STATE}
${AUDITED}
  );
  CREATE INDEX model_syncs_organization ON model_syncs(organization_id);
  CREATE INDEX model_syncs_target ON model_syncs(target_connection_id);

  CREATE TABLE model_sync_models (
    sync_id TEXT NOT NULL REFERENCES model_syncs(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    PRIMARY KEY (sync_id, model_id)
  ) WITHOUT ROWID;
  CREATE INDEX model_sync_models_model ON model_sync_models(model_id);

  CREATE TABLE bulk_syncs (
${OWNED}
    source_connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    destination_connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
${SYNC_STATE}
${AUDITED}
  );
  CREATE INDEX bulk_syncs_organization ON bulk_syncs(organization_id);
  CREATE INDEX bulk_syncs_source ON bulk_syncs(source_connection_id);
  CREATE INDEX bulk_syncs_destination ON bulk_syncs(destination_connection_id);

  CREATE TABLE bulk_sync_schemas (
    sync_id TEXT NOT NULL REFERENCES bulk_syncs(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (sync_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE bulk_sync_schedules (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sync_id TEXT NOT NULL REFERENCES bulk_syncs(id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
${AUDITED}
  );
  CREATE INDEX bulk_sync_schedules_sync ON bulk_sync_schedules(sync_id);

  CREATE TABLE executions (
${OWNED}
    bulk_sync_id TEXT REFERENCES bulk_syncs(id) ON DELETE CASCADE,
    model_sync_id TEXT REFERENCES model_syncs(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    status_message TEXT,
    trigger TEXT NOT NULL,
    plan TEXT NOT NULL,
    details TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    started_ms INTEGER,
    completed_ms INTEGER,
    updated_ms INTEGER NOT NULL,
    due_ms INTEGER,
    CHECK ((bulk_sync_id IS NULL) <> (model_sync_id IS NULL))
  );
  CREATE INDEX executions_bulk ON executions(bulk_sync_id, seq);
  CREATE INDEX executions_model ON executions(model_sync_id, seq);
  CREATE INDEX executions_due ON executions(due_ms) WHERE due_ms IS NOT NULL;

  CREATE TABLE jobs (
${OWNED}
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT,
    created_ms INTEGER NOT NULL,
    due_ms INTEGER
  );
  CREATE INDEX jobs_due ON jobs(due_ms) WHERE due_ms IS NOT NULL;
  `,
  // 7: bounds on what callers can grow (src/core/bounds.ts). Idempotency records say whose they are
  // (the caller's partner), what they weigh and whether their body is sealed (it held a secret,
  // such as a minted key: encrypted with a key only the answering process has). Records kept
  // before this version may hold a minted key in plain text: they are dropped.
  `
  DELETE FROM idempotency_keys;
  ALTER TABLE idempotency_keys ADD COLUMN partner TEXT NOT NULL DEFAULT '';
  ALTER TABLE idempotency_keys ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE idempotency_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX idempotency_keys_partner ON idempotency_keys(partner, created_at);
  CREATE INDEX connect_sessions_expiry ON connect_sessions(expires_at);
  CREATE INDEX jobs_organization ON jobs(organization_id, seq);
  DROP INDEX deliveries_webhook;
  CREATE INDEX deliveries_webhook_seq ON deliveries(webhook_id, seq);
  CREATE INDEX events_organization_seq ON events(organization_id, seq);
  `,
  // 8: a run's console log (2025-09-18's .../consolelog), kept with the run. Runs from before have none.
  `
  ALTER TABLE executions ADD COLUMN console_log TEXT NOT NULL DEFAULT '[]';
  `,
  // 9: what is inside a connection (src/store/catalogs), and the weight of a job. A catalog row exists only for a
  // connection whose catalog is its own (source, NULL for its type's default), whose API view lags its source
  // (cached, NULL when it does not), that has user fields or primary-key overrides, or that has refreshed.
  `
  CREATE TABLE connection_catalogs (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    source TEXT,
    digest TEXT,
    cached TEXT,
    overrides TEXT NOT NULL DEFAULT '{}',
    refresh_started_ms INTEGER,
    refresh_finished_ms INTEGER,
    refresh_due_ms INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX connection_catalogs_due ON connection_catalogs(refresh_due_ms) WHERE refresh_due_ms IS NOT NULL;
  -- What a job weighs (JOBS_MAX_BYTES), kept with it: a query's results may be megabytes, too many to measure again
  -- at every new job.
  ALTER TABLE jobs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  UPDATE jobs SET bytes = octet_length(coalesce(result, '')) + octet_length(coalesce(error, ''));
  `,
  // 10: permission policies (actions as JSON: [{action, role_ids}]), an organization's global error subscribers,
  // the notifications the simulator would have sent (no mail leaves it), and the connection proxy's calls (its
  // stats). A policy named by a resource stays in the resource's JSON; deleting the policy takes it out there.
  `
  CREATE TABLE policies (
${OWNED}
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    actions TEXT NOT NULL DEFAULT '[]',
    UNIQUE (organization_id, name_key)
  );

  CREATE TABLE error_subscribers (
    organization_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    emails TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE notifications (
${OWNED}
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX notifications_organization ON notifications(organization_id, seq);

  CREATE TABLE proxy_calls (
    seq INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    status INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX proxy_calls_connection ON proxy_calls(connection_id, created_ms);
  `
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** Tables that make up "the world", in an order that satisfies foreign keys on insert. */
export const WORLD_TABLES = [
  'partners',
  'organizations',
  'roles',
  'policies',
  'users',
  'user_roles',
  'api_keys',
  'deployment_keys',
  'connection_types',
  'connections',
  'connection_catalogs',
  'proxy_calls',
  'error_subscribers',
  'notifications',
  'webhooks',
  'events',
  'models',
  'model_syncs',
  'model_sync_models',
  'bulk_syncs',
  'bulk_sync_schemas',
  'bulk_sync_schedules',
  'executions',
  'jobs'
] as const
