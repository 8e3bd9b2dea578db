/**
 * Schemas of models, model syncs, bulk syncs, their executions, schedules and schemas, and jobs
 * (partner-surface reference 6 to 9). Wire names are the SDK's (polytomic 1.18.1 api/types): snake
 * case, except bulk-sync schedules and BulkSyncExecutionStatus.nextExecutionTime.
 *
 * Nested request objects are open: a field the SDK may send and this file does not name is not an
 * error (Go's decoder ignores it too); the store keeps only the fields named here (pickKnown).
 */
import { LIMITS } from '../../core/limits.js'
import { envelopeSchema, Text, Id } from './common.js'
import type { Infer } from './infer.js'
import { EXECUTION_STATUSES } from './events.js'

const Name = Text(LIMITS.name)
const Bool = { type: 'boolean' } as const
const Strings = (maxItems: number, maxLength: number = LIMITS.name) =>
  ({ type: 'array', maxItems, items: Text(maxLength) }) as const
/** A free-form object (a configuration): any JSON, bounded by the body limit and depth check. */
const Open = { type: 'object' } as const
const Any = {} as const

export const SCHEDULE_FREQUENCIES = [
  'manual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'custom',
  'builder',
  'runafter',
  'multi',
  'dbtcloud'
] as const
export const BULK_EXECUTION_STATUSES = [
  'created',
  'scheduled',
  'running',
  'exporting',
  'canceling',
  'canceled',
  'completed',
  'failed',
  'processing',
  'errors',
  'interrupted'
] as const
export const BULK_SCHEMA_EXECUTION_STATUSES = [
  'created',
  'scheduled',
  'running',
  'exporting',
  'canceled',
  'completed',
  'failed',
  'interrupted',
  'processing'
] as const
export const MODEL_SYNC_MODES = [
  'create',
  'update',
  'updateOrCreate',
  'replace',
  'append',
  'remove',
  'snapshot'
] as const
export const BULK_DISCOVER = ['all', 'onlyIncremental', 'onlyNonIncremental', 'none'] as const
export const FILTER_FUNCTIONS = [
  'Equality',
  'Inequality',
  'IsNull',
  'IsNotNull',
  'True',
  'False',
  'OnOrAfter',
  'OnOrBefore',
  'GreaterThan',
  'GreaterThanEqual',
  'LessThan',
  'LessThanEqual',
  'StringContains',
  'StringStartsWith',
  'StringEndsWith',
  'StringDoesNotContain',
  'StringDoesNotStartWith',
  'StringDoesNotEndWith',
  'StringOneOf',
  'StringNotOneOf',
  'Between',
  'ArrayContains',
  'ArrayDoesNotContain',
  'InTheLast',
  'RelativeOnOrBefore',
  'RelativeOnOrAfter',
  'StringLike',
  'StringNotLike',
  'StringMatchesTrimmed'
] as const
/** The job types GET /api/jobs/:type/:id knows (reference 8). */
export const JOB_TYPES = ['createmodel', 'updatemodel', 'previewmodel', 'samplemodel', 'exportlogs'] as const
/** A query runner task is kept as a job of this type (GET /api/jobs does not serve it: GET /api/queries/{id} does). */
export const QUERY_JOB_TYPE = 'query'

/** Schedule times are strings in the SDK ("30", "*"); a number is taken too. */
const TimePart = { type: ['string', 'integer'], maxLength: 64 } as const
const Frequency = { type: 'string', enum: SCHEDULE_FREQUENCIES } as const
/** When a schedule comes round, in the snake-case names of bulk and model syncs. */
const ScheduleTimes = {
  frequency: Frequency,
  minute: TimePart,
  hour: TimePart,
  day_of_week: TimePart,
  day_of_month: TimePart,
  month: TimePart
} as const

/** Who a sync or model belongs to, as a body names it: the organization (a partner's choice) and its policies. */
const ownership = {
  organization_id: { type: ['string', 'null'], maxLength: LIMITS.id },
  policies: Strings(100, LIMITS.id)
} as const

// Bulk syncs

const BulkScheduleShape = {
  type: 'object',
  required: ['frequency'],
  properties: {
    ...ScheduleTimes,
    multi: {
      type: 'object',
      properties: {
        type: Text(64),
        schedules: {
          type: 'array',
          maxItems: 20,
          items: {
            type: 'object',
            properties: {
              item: { type: 'string', enum: ['none', 'incrementalFields', 'nonincrementalFields'] },
              schedule: {
                type: 'object',
                required: ['frequency'],
                properties: ScheduleTimes
              }
            }
          }
        }
      }
    }
  }
} as const

const BulkFilterShape = {
  type: 'object',
  required: ['function'],
  properties: { field_id: Text(LIMITS.name), function: { type: 'string', enum: FILTER_FUNCTIONS }, value: Any }
} as const

const FieldConfiguration = {
  anyOf: [
    Text(LIMITS.name),
    {
      type: 'object',
      required: ['id'],
      properties: {
        id: Text(LIMITS.name),
        enabled: Bool,
        obfuscate: Bool,
        obfuscated: Bool,
        user_output_name: Text(LIMITS.name)
      }
    }
  ]
} as const

/** What a schema of a bulk sync sets beside its fields, in create and in update alike. */
const schemaSettings = {
  filters: { type: 'array', maxItems: 200, items: BulkFilterShape },
  partition_key: Text(LIMITS.name),
  tracking_field: Text(LIMITS.name),
  data_cutoff_timestamp: Text(64),
  disable_data_cutoff: Bool,
  user_output_name: Text(LIMITS.name)
} as const

/** A schema as create takes it: its id alone, or a SchemaConfiguration. */
export const SchemaConfigurationShape = {
  type: 'object',
  required: ['id'],
  properties: {
    id: Text(LIMITS.name),
    enabled: Bool,
    fields: { type: 'array', maxItems: 2000, items: FieldConfiguration },
    ...schemaSettings
  }
} as const

const bulkSyncFields = {
  name: Name,
  source_connection_id: Id,
  destination_connection_id: Id,
  source_configuration: Open,
  destination_configuration: Open,
  schedule: BulkScheduleShape,
  active: Bool,
  mode: { type: 'string', enum: ['snapshot', 'replicate'] },
  automatically_add_new_fields: { type: 'string', enum: BULK_DISCOVER },
  automatically_add_new_objects: { type: 'string', enum: BULK_DISCOVER },
  normalize_names: { type: 'string', enum: ['enabled', 'disabled', 'legacy'] },
  discover: Bool,
  concurrency_limit: { type: 'integer', minimum: 0, maximum: 10000 },
  resync_concurrency_limit: { type: 'integer', minimum: 0, maximum: 10000 },
  data_cutoff_timestamp: Text(64),
  disable_record_timestamps: Bool,
  ...ownership
} as const

export const CreateBulkSyncBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'source_connection_id', 'destination_connection_id', 'destination_configuration', 'schedule'],
  properties: {
    ...bulkSyncFields,
    schemas: { type: 'array', maxItems: 2000, items: { anyOf: [Text(LIMITS.name), SchemaConfigurationShape] } }
  }
} as const
export type CreateBulkSyncInput = Infer<typeof CreateBulkSyncBody>

/** PUT replaces the top level; schemas change only through /schemas (reference 6.2). */
export const UpdateBulkSyncBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'source_connection_id', 'destination_connection_id', 'destination_configuration', 'schedule'],
  properties: { ...bulkSyncFields, schemas: { type: 'array', maxItems: 2000 } }
} as const
export type UpdateBulkSyncInput = Infer<typeof UpdateBulkSyncBody>

// Bulk syncs at 2025-09-18 (2025-09-18 surface 3.1 to 3.3): default_schedule and additional_schedules in
// place of schedule (and no discover); a start without the legacy resync flag.

export const SELECTIVE_MODES = ['none', 'incrementalFields', 'nonincrementalFields'] as const
export const SCHEDULE_SYNC_MODES = ['normal', 'refetch', 'resync', 'rebuild'] as const
/** Additional schedules a bulk sync may have (SCHEDULES_PER_SYNC caps the stored ones; this, one body). */
export const MAX_SCHEDULES_IN_BODY = 100

/** BulkSyncDefaultScheduleRequest: when the sync runs; its id, sent back from a GET, names the one it has. */
const DefaultScheduleShape = {
  type: 'object',
  required: ['frequency'],
  properties: { ...ScheduleTimes, id: Text(LIMITS.id) }
} as const

/** BulkSyncAdditionalScheduleRequest: another time to run, of some schemas (all when none are named). */
const AdditionalScheduleShape = {
  type: 'object',
  required: ['frequency'],
  properties: {
    ...DefaultScheduleShape.properties,
    selective_mode: { type: 'string', enum: SELECTIVE_MODES },
    resync_mode: { type: 'string', enum: SCHEDULE_SYNC_MODES },
    schemas: Strings(2000)
  }
} as const

const { schedule: _schedule, discover: _discover, ...bulkSyncFieldsOfBoth } = bulkSyncFields
const bulkSyncFields2025 = {
  ...bulkSyncFieldsOfBoth,
  default_schedule: DefaultScheduleShape,
  additional_schedules: { type: 'array', maxItems: MAX_SCHEDULES_IN_BODY, items: AdditionalScheduleShape }
} as const
const REQUIRED_2025 = [
  'name',
  'source_connection_id',
  'destination_connection_id',
  'destination_configuration',
  'default_schedule'
] as const

export const CreateBulkSyncBody2025 = {
  type: 'object',
  additionalProperties: false,
  required: REQUIRED_2025,
  properties: { ...bulkSyncFields2025, schemas: CreateBulkSyncBody.properties.schemas }
} as const
export type CreateBulkSyncInput2025 = Infer<typeof CreateBulkSyncBody2025>

export const UpdateBulkSyncBody2025 = {
  type: 'object',
  additionalProperties: false,
  required: REQUIRED_2025,
  properties: { ...bulkSyncFields2025, schemas: UpdateBulkSyncBody.properties.schemas }
} as const
export type UpdateBulkSyncInput2025 = Infer<typeof UpdateBulkSyncBody2025>
export type AdditionalScheduleInput = Infer<typeof AdditionalScheduleShape>
export type DefaultScheduleInput = Infer<typeof DefaultScheduleShape>

export const BulkSyncListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    active: { type: 'string', enum: ['true', 'false'] },
    organization_id: Id,
    page_token: Text(512),
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' }
  }
} as const

export const RefreshSchemasQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { refresh_schemas: { type: 'string', enum: ['true', 'false'] } }
} as const

export const ActivateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['active'],
  properties: { active: Bool }
} as const

export const StartBulkSyncBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    test: Bool,
    resync: Bool,
    resync_mode: { type: 'string', enum: ['refetch', 'resync', 'rebuild'] },
    fetch_mode: { type: 'string', enum: ['none', 'incremental', 'full'] },
    schemas: Strings(2000)
  }
} as const
export type StartBulkSyncInput = Infer<typeof StartBulkSyncBody>

/** StartBulkSyncRequest at 2025-09-18: without the legacy resync flag. */
export const StartBulkSyncBody2025 = {
  ...StartBulkSyncBody,
  properties: (({ resync: _resync, ...rest }) => rest)(StartBulkSyncBody.properties)
} as const

export const BulkExecutionListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page_token: Text(512),
    only_terminal: { type: 'string', enum: ['true', 'false'] },
    ascending: { type: 'string', enum: ['true', 'false'] },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' }
  }
} as const

export const BulkStatusListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    all: { type: 'string', enum: ['true', 'false'] },
    active: { type: 'string', enum: ['true', 'false'] },
    /** Repeatable: ?sync_id=a&sync_id=b arrives as an array. */
    sync_id: { anyOf: [Id, { type: 'array', maxItems: 500, items: Id }] },
    organization_id: Id
  }
} as const

const ScheduleApiShape = {
  type: 'object',
  required: ['frequency'],
  properties: {
    frequency: Frequency,
    minute: TimePart,
    hour: TimePart,
    dayOfWeek: TimePart,
    dayOfMonth: TimePart,
    month: TimePart,
    selectiveMode: { type: 'string', enum: ['none', 'incrementalFields', 'nonincrementalFields'] }
  }
} as const

export const BulkScheduleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['schedule'],
  properties: { schedule: ScheduleApiShape }
} as const

export const SchemaListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { filters: Text(4096) }
} as const

/** UpdateBulkSchema: every field optional; fields given replace the schema's field settings. */
export const UpdateBulkSchemaBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: Bool,
    fields: {
      type: 'array',
      maxItems: 2000,
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: Text(LIMITS.name), enabled: Bool, obfuscated: Bool, user_output_name: Text(LIMITS.name) }
      }
    },
    ...schemaSettings
  }
} as const
export type UpdateBulkSchemaInput = Infer<typeof UpdateBulkSchemaBody>

export const PatchBulkSchemasBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    schemas: {
      type: 'array',
      maxItems: 2000,
      items: {
        type: 'object',
        required: ['id'],
        properties: { ...UpdateBulkSchemaBody.properties, id: Text(LIMITS.name) }
      }
    }
  }
} as const
export type PatchBulkSchemasInput = Infer<typeof PatchBulkSchemasBody>

export const SyncParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const
export const SyncExecutionParams = {
  type: 'object',
  required: ['id', 'exec_id'],
  properties: { id: { type: 'string' }, exec_id: { type: 'string' } }
} as const
export const SyncScheduleParams = {
  type: 'object',
  required: ['id', 'schedule_id'],
  properties: { id: { type: 'string' }, schedule_id: { type: 'string' } }
} as const
export const SyncSchemaParams = {
  type: 'object',
  required: ['id', 'schema_id'],
  properties: { id: { type: 'string' }, schema_id: { type: 'string', maxLength: LIMITS.name } }
} as const
export const JobParams = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: { type: 'string' }, id: { type: 'string' } }
} as const

export type ScheduleApiInput = Infer<typeof ScheduleApiShape>
export type BulkScheduleInput = Infer<typeof BulkScheduleShape>
// Models

const ModelFieldRequest = {
  type: 'object',
  required: ['name', 'label', 'type'],
  properties: { name: Text(LIMITS.name), label: Text(LIMITS.name), type: Text(64), example: Text(LIMITS.name) }
} as const

const modelFields = {
  name: Name,
  connection_id: Id,
  configuration: Open,
  fields: Strings(2000),
  additional_fields: { type: 'array', maxItems: 500, items: ModelFieldRequest },
  identifier: Text(LIMITS.name),
  labels: Strings(100),
  tracking_columns: Strings(100),
  relations: { type: 'array', maxItems: 100, items: Open },
  enricher: Open,
  policies: Strings(100, LIMITS.id),
  organization_id: { type: ['string', 'null'], maxLength: LIMITS.id }
} as const

export const ModelBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'connection_id', 'configuration'],
  properties: { ...modelFields, refresh: Bool }
} as const

export const AsyncQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { async: { type: 'string', enum: ['true', 'false'] }, organization_id: Id }
} as const

export type ModelInput = Infer<typeof ModelBody>

// Model syncs

const SourceShape = {
  type: 'object',
  required: ['model_id', 'field'],
  properties: { model_id: Id, field: Text(LIMITS.name) }
} as const
const ModelSyncFieldShape = {
  type: 'object',
  required: ['target'],
  properties: {
    target: Text(LIMITS.name),
    source: SourceShape,
    override_value: Text(LIMITS.configurationValue),
    new: Bool,
    sync_mode: { type: 'string', enum: ['updateOrCreate', 'create'] },
    encryption_enabled: Bool
  }
} as const

const ScheduleShape = {
  type: 'object',
  properties: {
    ...ScheduleTimes,
    job_id: { type: 'integer' },
    connection_id: Id,
    run_after: {
      type: 'object',
      properties: { sync_ids: Strings(100, LIMITS.id), bulk_sync_ids: Strings(100, LIMITS.id) }
    },
    run_after_success_only: Bool
  }
} as const

const modelSyncFields = {
  name: Name,
  mode: { type: 'string', enum: MODEL_SYNC_MODES },
  schedule: ScheduleShape,
  target: {
    type: 'object',
    required: ['connection_id'],
    properties: {
      connection_id: Id,
      object: Text(LIMITS.name),
      configuration: Open,
      new_name: Text(LIMITS.name),
      create: { type: 'object', additionalProperties: Text(LIMITS.name) },
      filter_logic: Text(4096),
      search_values: Open
    }
  },
  fields: { type: 'array', maxItems: 2000, items: ModelSyncFieldShape },
  override_fields: { type: 'array', maxItems: 2000, items: ModelSyncFieldShape },
  identity: {
    type: 'object',
    required: ['source', 'target', 'function'],
    properties: {
      source: SourceShape,
      target: Text(LIMITS.name),
      function: { type: 'string', enum: ['Equality', 'ISubstring', 'OneOf', 'DomainMatch', 'HostnameMatch'] },
      new_field: Bool,
      remote_field_type_id: Text(LIMITS.name)
    }
  },
  active: Bool,
  filters: {
    type: 'array',
    maxItems: 200,
    items: {
      type: 'object',
      properties: {
        field: SourceShape,
        field_id: Text(LIMITS.name),
        field_type: { type: 'string', enum: ['Model', 'Target'] },
        function: { type: 'string', enum: FILTER_FUNCTIONS },
        label: Text(LIMITS.name),
        value: Any
      }
    }
  },
  filter_logic: Text(4096),
  overrides: {
    type: 'array',
    maxItems: 200,
    items: {
      type: 'object',
      properties: {
        field: SourceShape,
        field_id: Text(LIMITS.name),
        function: { type: 'string', enum: FILTER_FUNCTIONS },
        override: Any,
        value: Any
      }
    }
  },
  sync_all_records: Bool,
  skip_initial_backfill: Bool,
  only_enrich_updates: Bool,
  encryption_passphrase: Text(1024),
  ...ownership
} as const

export const ModelSyncBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'mode', 'schedule', 'target', 'fields'],
  properties: modelSyncFields
} as const

export const ModelSyncListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    active: { type: 'string', enum: ['true', 'false'] },
    mode: { type: 'string', enum: MODEL_SYNC_MODES },
    target_connection_id: Id,
    organization_id: Id
  }
} as const

export const StartModelSyncBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { identities: Strings(1000), resync: Bool, test: Bool }
} as const

export const ModelExecutionListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page_token: Text(512),
    only_completed: { type: 'string', enum: ['true', 'false'] },
    ascending: { type: 'string', enum: ['true', 'false'] }
  }
} as const

export type ModelSyncInput = Infer<typeof ModelSyncBody>
export type StartModelSyncInput = Infer<typeof StartModelSyncBody>

// Responses

const Actor = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' } }
} as const
const Str = { type: 'string' } as const
const Num = { type: 'number' } as const
const Obj = { type: 'object', additionalProperties: true } as const
/** The audit fields of a created resource. */
const Audited = { created_at: Str, created_by: Actor, updated_at: Str, updated_by: Actor } as const
/** When a run (or a schema of it) was created, started, completed and last changed. */
const RunTimes = { created_at: Str, started_at: Str, completed_at: Str, updated_at: Str } as const
/** What a bulk run (or a schema of it) counted. */
const RunCounts = { record_count: Num, error_count: Num, warning_count: Num } as const
/** A run of either kind of sync: its id and type, then the kind's own fields. */
const executionSchema = <I extends string, P extends object>($id: I, properties: P) =>
  ({
    $id,
    type: 'object',
    required: ['id', 'status', 'created_at'],
    properties: { id: Str, type: Str, ...properties }
  }) as const
const ScheduleOut = {
  type: 'object',
  properties: { frequency: Str, minute: Str, hour: Str, day_of_week: Str, day_of_month: Str, month: Str, multi: Obj }
} as const

export const BulkSync = {
  $id: 'BulkSync',
  type: 'object',
  required: [
    'id',
    'organization_id',
    'name',
    'active',
    'source_connection_id',
    'destination_connection_id',
    'schedule'
  ],
  properties: {
    id: Str,
    organization_id: Str,
    name: Str,
    active: Bool,
    mode: Str,
    source_connection_id: Str,
    source_configuration: Obj,
    destination_connection_id: Str,
    destination_configuration: Obj,
    schedule: ScheduleOut,
    automatically_add_new_fields: Str,
    automatically_add_new_objects: Str,
    discover: Bool,
    normalize_names: Str,
    concurrency_limit: Num,
    resync_concurrency_limit: Num,
    data_cutoff_timestamp: Str,
    disable_record_timestamps: Bool,
    policies: { type: 'array', items: Str },
    ...Audited
  }
} as const

/** OutputActor and the audit fields of a 2025-09-18 schedule. */
const ScheduleTimesOut = {
  id: Str,
  frequency: Str,
  minute: Str,
  hour: Str,
  day_of_week: Str,
  day_of_month: Str,
  month: Str,
  ...Audited
} as const

/** BulkSyncResponse at 2025-09-18: default_schedule and additional_schedules; no schedule, no discover. */
export const BulkSync2025 = {
  $id: 'BulkSync_2025_09_18',
  type: 'object',
  required: [
    'id',
    'organization_id',
    'name',
    'active',
    'source_connection_id',
    'destination_connection_id',
    'default_schedule',
    'additional_schedules'
  ],
  properties: {
    ...(({ schedule: _s, discover: _d, ...rest }) => rest)(BulkSync.properties),
    default_schedule: { type: 'object', required: ['id', 'frequency'], properties: ScheduleTimesOut },
    additional_schedules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'frequency'],
        properties: {
          ...ScheduleTimesOut,
          selective_mode: Str,
          resync_mode: Str,
          schemas: { type: 'array', items: Str }
        }
      }
    }
  }
} as const

const SchemaExecution = {
  type: 'object',
  properties: {
    schema: Str,
    output_name: Str,
    status: { type: 'string', enum: BULK_SCHEMA_EXECUTION_STATUSES },
    status_message: Str,
    ...RunCounts,
    ...RunTimes
  }
} as const

export const BulkSyncExecution = executionSchema('BulkSyncExecution', {
  status: { type: 'string', enum: BULK_EXECUTION_STATUSES },
  status_message: Str,
  ...RunTimes,
  ...RunCounts,
  is_test: Bool,
  is_resync: Bool,
  is_partial: Bool,
  fetch_mode: Str,
  output_disposition: Str,
  schemas: { type: 'array', items: SchemaExecution }
})

export const BulkSchema = {
  $id: 'BulkSchema',
  type: 'object',
  required: ['id', 'enabled'],
  properties: {
    id: Str,
    output_name: Str,
    user_output_name: Str,
    enabled: Bool,
    partition_key: Str,
    tracking_field: Str,
    data_cutoff_timestamp: Str,
    disable_data_cutoff: Bool,
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: Str, output_name: Str, user_output_name: Str, enabled: Bool, obfuscated: Bool }
      }
    },
    filters: { type: 'array', items: { type: 'object', properties: { field_id: Str, function: Str, value: {} } } }
  }
} as const

/** BulkSchemaListItem (2025-09-18): a schema as GET .../schemas lists it, without its fields and filters. */
export const BulkSchemaListItem = {
  $id: 'BulkSchemaListItem',
  type: 'object',
  required: ['id', 'enabled'],
  properties: (({ fields: _f, filters: _l, ...rest }) => rest)(BulkSchema.properties)
} as const

export const BulkBulkSyncSchedule = {
  $id: 'BulkBulkSyncSchedule',
  type: 'object',
  required: ['id', 'syncId', 'frequency'],
  properties: {
    id: Str,
    syncId: Str,
    frequency: Str,
    minute: Str,
    hour: Str,
    dayOfWeek: Str,
    dayOfMonth: Str,
    month: Str,
    selectiveMode: Str,
    syncMode: Str,
    schemas: { type: 'array', items: Str },
    isDefault: Bool,
    createdAt: Str,
    createdBy: Str,
    updatedAt: Str,
    updatedBy: Str
  }
} as const

/** ModelField: a field of a model (GET /api/models) or of what a model would read (getSourceFields). */
export const ModelFieldShape = {
  type: 'object',
  properties: {
    id: Str,
    name: Str,
    label: Str,
    type: Str,
    remote_type: Str,
    example: {},
    description: Str,
    unique: Bool,
    user_added: Bool,
    created_at: Str,
    updated_at: Str
  }
} as const

export const Model = {
  $id: 'Model',
  type: 'object',
  required: ['id', 'organization_id', 'name', 'connection_id', 'configuration', 'fields', 'version'],
  properties: {
    id: Str,
    organization_id: Str,
    name: Str,
    type: Str,
    connection_id: Str,
    configuration: Obj,
    fields: { type: 'array', items: ModelFieldShape },
    identifier: Str,
    labels: { type: 'array', items: Obj },
    relations: { type: 'array', items: Obj },
    tracking_columns: { type: 'array', items: Str },
    enricher: Obj,
    policies: { type: 'array', items: Str },
    version: Num,
    ...Audited
  }
} as const

const SourceOut = { type: 'object', properties: { model_id: Str, field: Str } } as const
const ModelSyncFieldOut = {
  type: 'object',
  properties: {
    target: Str,
    source: SourceOut,
    override_value: Str,
    new: Bool,
    sync_mode: Str,
    encryption_enabled: Bool
  }
} as const

export const ModelSync = {
  $id: 'ModelSync',
  type: 'object',
  required: ['id', 'organization_id', 'name', 'mode', 'active', 'target', 'fields', 'model_ids', 'schedule'],
  properties: {
    id: Str,
    organization_id: Str,
    name: Str,
    mode: Str,
    active: Bool,
    schedule: {
      type: 'object',
      properties: {
        ...ScheduleOut.properties,
        job_id: Num,
        connection_id: Str,
        run_after: Obj,
        run_after_success_only: Bool
      }
    },
    target: {
      type: 'object',
      properties: {
        connection_id: Str,
        object: Str,
        configuration: Obj,
        new_name: Str,
        create: Obj,
        filter_logic: Str,
        search_values: Obj
      }
    },
    fields: { type: 'array', items: ModelSyncFieldOut },
    override_fields: { type: 'array', items: ModelSyncFieldOut },
    identity: {
      type: 'object',
      properties: { source: SourceOut, target: Str, function: Str, new_field: Bool, remote_field_type_id: Str }
    },
    filters: { type: 'array', items: Obj },
    filter_logic: Str,
    overrides: { type: 'array', items: Obj },
    sync_all_records: Bool,
    skip_initial_backfill: Bool,
    only_enrich_updates: Bool,
    encryption_passphrase: Str,
    policies: { type: 'array', items: Str },
    model_ids: { type: 'array', items: Str },
    ...Audited
  }
} as const

/** ListSyncItem (2025-09-18): a model sync as GET /api/syncs lists it, its target as two fields. */
export const ListSyncItem = {
  $id: 'ListSyncItem',
  type: 'object',
  required: ['id', 'organization_id', 'name', 'mode', 'active', 'model_ids', 'schedule'],
  properties: {
    ...(({
      target: _t, fields: _f, override_fields: _o, overrides: _v, filters: _i, filter_logic: _l, identity: _d,
      encryption_passphrase: _e, policies: _p, ...rest
    }) => rest)(ModelSync.properties),
    target_connection_id: Str,
    target_object: Str
  }
} as const

export const ModelSyncExecution = executionSchema('ModelSyncExecution', {
  status: Str,
  created_at: Str,
  started_at: Str,
  completed_at: Str,
  errors: { type: 'array', items: Str },
  counts: {
    type: 'object',
    properties: { total: Num, insert: Num, update: Num, upserts: Num, delete: Num, error: Num, warnings: Num }
  }
})

export const Job = {
  $id: 'Job',
  type: 'object',
  required: ['job_id', 'type', 'status'],
  properties: {
    job_id: Str,
    type: Str,
    status: { type: 'string', enum: ['created', 'running', 'done', 'failed'] },
    result: {},
    error: Str
  }
} as const

export const SYNC_SHARED_SCHEMAS = [
  BulkSync,
  BulkSync2025,
  BulkSchemaListItem,
  ListSyncItem,
  BulkSyncExecution,
  BulkSchema,
  BulkBulkSyncSchedule,
  Model,
  ModelSync,
  ModelSyncExecution,
  Job
] as const

const Pagination = { type: 'object', properties: { next_page_token: Str } } as const
/** An envelope with siblings beside data: a list's pagination, a model's job. */
const withSiblings = <E extends { properties: object }, P extends object>(envelope: E, siblings: P) =>
  ({ ...envelope, properties: { ...envelope.properties, ...siblings } }) as const
const paged = <S extends object>(items: S) =>
  withSiblings(envelopeSchema({ type: 'array', items }), { pagination: Pagination })

/** A sync's status: its current and last runs (of the kind's execution schema) and when it next runs. */
const statusEnvelope = <R extends string>(ref: R) =>
  envelopeSchema({
    type: 'object',
    properties: { current_execution: { $ref: ref }, last_execution: { $ref: ref }, next_execution_time: Str }
  } as const)

export const BulkSyncEnvelope = envelopeSchema({ $ref: 'BulkSync#' })
export const BulkSyncListEnvelope = paged({ $ref: 'BulkSync#' })
export const ActivateEnvelope = envelopeSchema({
  type: 'object',
  required: ['id', 'active'],
  properties: { id: Str, active: Bool }
})
export const MessageEnvelope = envelopeSchema({ type: 'object', required: ['message'], properties: { message: Str } })
export const BulkExecutionEnvelope = envelopeSchema({ $ref: 'BulkSyncExecution#' })
export const BulkExecutionListEnvelope = paged({ $ref: 'BulkSyncExecution#' })
export const BulkStatusEnvelope = statusEnvelope('BulkSyncExecution#')
export const BulkStatusListEnvelope = envelopeSchema({
  type: 'array',
  items: {
    type: 'object',
    required: ['sync_id'],
    properties: {
      sync_id: Str,
      status: Str,
      nextExecutionTime: Str,
      schemas: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            execution_id: Str,
            schema: Str,
            status: Str,
            status_message: Str,
            ...RunCounts,
            started_at: Str,
            completed_at: Str
          }
        }
      }
    }
  }
})
export const BulkScheduleEnvelope = envelopeSchema({ $ref: 'BulkBulkSyncSchedule#' })
export const BulkScheduleListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'BulkBulkSyncSchedule#' } })
export const BulkSchemaEnvelope = envelopeSchema({ $ref: 'BulkSchema#' })
export const BulkSchemaListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'BulkSchema#' } })
export const ModelEnvelope = withSiblings(envelopeSchema({ $ref: 'Model#' }), { job: { $ref: 'Job#' } })
export const ModelListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'Model#' } })
export const ModelSyncEnvelope = envelopeSchema({ $ref: 'ModelSync#' })
export const ModelSyncListEnvelope = envelopeSchema({ type: 'array', items: { $ref: 'ModelSync#' } })
export const StartModelSyncEnvelope = envelopeSchema({
  type: 'object',
  required: ['id', 'status', 'created_at'],
  properties: { id: Str, status: Str, created_at: Str }
})
export const ModelExecutionEnvelope = envelopeSchema({ $ref: 'ModelSyncExecution#' })
export const ModelExecutionListEnvelope = paged({ $ref: 'ModelSyncExecution#' })
export const ModelSyncStatusEnvelope = statusEnvelope('ModelSyncExecution#')
export const JobEnvelope = envelopeSchema({ $ref: 'Job#' })

export const BulkSyncEnvelope2025 = envelopeSchema({ $ref: 'BulkSync_2025_09_18#' })
export const BulkSyncListEnvelope2025 = paged({ $ref: 'BulkSync_2025_09_18#' })
export const BulkSchemaListEnvelope2025 = envelopeSchema({ type: 'array', items: { $ref: 'BulkSchemaListItem#' } })
export const ModelSyncListEnvelope2025 = paged({ $ref: 'ListSyncItem#' })

/** GET /api/syncs at 2025-09-18: the 1.18.1 filters, and a page (limit at most 50; non-positive is the default). */
export const ModelSyncListQuery2025 = {
  ...ModelSyncListQuery,
  properties: {
    ...ModelSyncListQuery.properties,
    page_token: Text(512),
    limit: { type: 'string', pattern: '^-?[0-9]{1,9}$' }
  }
} as const

/** GET .../consolelog: how many lines (at most 50) and after which (an entry id). Read by the store (400s). */
export const ConsoleLogQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: Text(32), after: Text(64) }
} as const

/** ExecutionConsoleLogsResponseEnvelope. */
export const ConsoleLogEnvelope = envelopeSchema({
  type: 'object',
  required: ['entries', 'next_cursor'],
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'level', 'message', 'timestamp'],
        properties: { id: Str, level: Str, message: Str, payload: Obj, timestamp: Str }
      }
    },
    next_cursor: Str
  }
})

export const SyncExecutionSchemaParams = {
  type: 'object',
  required: ['id', 'exec_id', 'schema_id'],
  properties: { ...SyncExecutionParams.properties, schema_id: { type: 'string', maxLength: LIMITS.name } }
} as const

/** PUT /api/syncs/:id/executions/:exec_id (SDK 1.18.1's modelSync.executions.update). */
export const UpdateExecutionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: EXECUTION_STATUSES } }
} as const

/** modelSync.executions.getLogUrls/getLogs: the category, and a file of it. */
export const ModelLogParams = {
  type: 'object',
  required: ['id', 'exec_id', 'type'],
  properties: {
    id: { type: 'string' },
    exec_id: { type: 'string' },
    type: { type: 'string', enum: ['records', 'errors', 'warnings', 'inserts', 'updates', 'deletes'] },
    filename: { type: 'string', maxLength: LIMITS.name }
  }
} as const

const StringList = { type: 'array', items: Str } as const

/** ExecutionLogResponse (model syncs). */
export const ModelLogsEnvelope = envelopeSchema({
  type: 'object',
  required: ['expires', 'urls'],
  properties: { expires: Str, urls: StringList }
})

/** V4BulkSyncExecutionLogs: capitalized, as the SDK types it. */
export const BulkLogsEnvelope = envelopeSchema({
  type: 'object',
  required: ['Expires', 'URLs'],
  properties: { Expires: Str, URLs: StringList }
})

export const ExportLogsQuery = {
  type: 'object',
  properties: { notify: { type: 'string', enum: ['true', 'false'] } }
} as const

/** V4ExportSyncLogsEnvelope: the job that packages the logs; its result, when done, is { url }. */
export const ExportLogsEnvelope = {
  type: 'object',
  properties: { data: { type: 'object', properties: { url: Str } }, job: { $ref: 'Job#' } }
} as const

/** ScheduleOptionResponse. */
export const ScheduleOptionsEnvelope = envelopeSchema({
  type: 'object',
  required: ['schedule_options'],
  properties: {
    schedule_options: {
      type: 'array',
      items: {
        type: 'object',
        required: ['frequency', 'label', 'description', 'configuration'],
        properties: {
          frequency: Str,
          label: Str,
          description: Str,
          configuration: { type: 'object', additionalProperties: true }
        }
      }
    }
  }
})
