import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import {
  BulkDestinationEnvelope,
  BulkSourceEnvelope,
  ConnectionFieldParams,
  ConnectionSchemaParams,
  EnrichmentInputBody,
  EnrichmentInputEnvelope,
  ModelFieldListEnvelope,
  ModelSampleEnvelope,
  ModelPreviewEnvelope,
  ParamsQuery,
  PrimaryKeysBody,
  PropertyParams,
  QueryResultEnvelope,
  QueryResultQuery,
  RecordsEnvelope,
  RecordsQuery,
  RunQueryBody,
  RunQueryEnvelope,
  RunQueryQuery,
  SchemaEnvelope,
  SourceMetaEnvelope,
  SourceQuery,
  SourceStatusEnvelope,
  TargetEnvelope,
  TargetFieldsQuery,
  TargetObjectsEnvelope,
  TargetPropertyEnvelope,
  TargetQuery,
  type PrimaryKeysInput,
  type UpsertFieldsInput,
  UpsertFieldsBody
} from '../schemas/catalogs.js'
import { AsyncQuery, ModelBody, SyncParams, type ModelInput } from '../schemas/syncs.js'
import { IdParams } from '../schemas/common.js'
import type { StoredConnection } from '../../store/connections/connections.js'
import {
  bulkDestination,
  bulkSource,
  createProperty,
  enrichmentInputs,
  parseParams,
  recordsPage,
  schemaWire,
  sourceFields,
  sourceMeta,
  targetFields,
  targetMeta,
  targetObjects
} from '../../store/catalogs/describe.js'
import { sampleModel } from '../../store/catalogs/samples.js'
import { answerWithJob } from './model-syncs.js'

type SchemaParams = { id: string; schema_id: string }

/**
 * What is inside a connection (src/store/catalogs): schemas.*, queryRunner.*, the bulk and model sync source and
 * target descriptions, the enrichment source, and models' samples and previews. A catalog is reachable exactly
 * when its connection is.
 */
export default async function catalogRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const connectionOf = (request: FastifyRequest): StoredConnection =>
    store.access.reachableConnection(callerOf(request), (request.params as { id: string }).id)
  const answer = (request: FastifyRequest, reply: FastifyReply, data: unknown): void => {
    reply.send(envelopeBody(request, data))
  }
  const done = (reply: FastifyReply): void => {
    reply.code(200).send()
  }
  const NoContent = { 200: { type: 'null' }, ...errorResponses(400, 401, 404, 422) }
  const SOURCE_META = { 200: SourceMetaEnvelope, ...errorResponses(400, 401, 403, 404) }

  // schemas.*

  api.post<{ Params: SchemaParams; Body: UpsertFieldsInput | null }>(
    '/connections/:id/schemas/:schema_id/fields',
    { schema: { params: ConnectionSchemaParams, body: UpsertFieldsBody, response: NoContent } },
    (request, reply) => {
      const connection = connectionOf(request)
      const fields = request.body?.fields ?? []
      store.transaction(() => store.catalogs.upsertFields(connection, request.params.schema_id, fields))
      done(reply)
    }
  )

  api.delete<{ Params: SchemaParams & { field_id: string } }>(
    '/connections/:id/schemas/:schema_id/fields/:field_id',
    { schema: { params: ConnectionFieldParams, response: NoContent } },
    (request, reply) => {
      const connection = connectionOf(request)
      store.transaction(() => store.catalogs.deleteField(connection, request.params.schema_id, request.params.field_id))
      done(reply)
    }
  )

  api.put<{ Params: SchemaParams; Body: PrimaryKeysInput | null }>(
    '/connections/:id/schemas/:schema_id/primary_keys',
    { schema: { params: ConnectionSchemaParams, body: PrimaryKeysBody, response: NoContent } },
    (request, reply) => {
      const connection = connectionOf(request)
      const fields = request.body?.fields ?? []
      store.transaction(() => store.catalogs.setPrimaryKeys(connection, request.params.schema_id, fields))
      done(reply)
    }
  )

  api.delete<{ Params: SchemaParams }>(
    '/connections/:id/schemas/:schema_id/primary_keys',
    { schema: { params: ConnectionSchemaParams, response: NoContent } },
    (request, reply) => {
      const connection = connectionOf(request)
      store.transaction(() => store.catalogs.resetPrimaryKeys(connection, request.params.schema_id))
      done(reply)
    }
  )

  api.post<{ Params: { id: string } }>(
    '/connections/:id/schemas/refresh',
    { schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 404) } } },
    (request, reply) => {
      const connection = connectionOf(request)
      store.transaction(() => store.catalogs.refresh(connection))
      reply.code(200).header('location', `/api/connections/${connection.id}/schemas/status`).send()
    }
  )

  api.get<{ Params: { id: string } }>(
    '/connections/:id/schemas/status',
    { schema: { params: IdParams, response: { 200: SourceStatusEnvelope, ...errorResponses(400, 401, 404) } } },
    (request, reply) => answer(request, reply, store.catalogs.status(connectionOf(request)))
  )

  api.get<{ Params: SchemaParams }>(
    '/connections/:id/schemas/:schema_id',
    { schema: { params: ConnectionSchemaParams, response: { 200: SchemaEnvelope, ...errorResponses(400, 401, 404) } } },
    (request, reply) =>
      answer(request, reply, schemaWire(store.catalogs.schema(connectionOf(request), request.params.schema_id)))
  )

  api.get<{ Params: SchemaParams; Querystring: { limit?: string; page_token?: string } }>(
    '/connections/:id/schemas/:schema_id/records',
    {
      schema: {
        params: ConnectionSchemaParams,
        querystring: RecordsQuery,
        response: { 200: RecordsEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const { data, pagination } = recordsPage(store, connectionOf(request), request.params.schema_id, request.query)
      const body = envelopeBody(request, data)
      reply.send(pagination === undefined ? body : { ...body, pagination })
    }
  )

  // queryRunner.*

  api.post<{ Params: { id: string }; Querystring: { query?: string }; Body: { query?: string } | null }>(
    '/connections/:id/query',
    {
      schema: {
        params: IdParams,
        querystring: RunQueryQuery,
        body: RunQueryBody,
        response: { 200: RunQueryEnvelope, ...errorResponses(400, 401, 404, 503) }
      }
    },
    (request, reply) => {
      const query = request.query.query ?? request.body?.query
      answer(request, reply, store.queries.start(connectionOf(request), query, callerOf(request)))
    }
  )

  api.get<{ Params: { id: string }; Querystring: { page?: string } }>(
    '/queries/:id',
    {
      schema: {
        params: IdParams,
        querystring: QueryResultQuery,
        response: { 200: QueryResultEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const { data, links } = store.queries.result(request.params.id, callerOf(request), request.query.page)
      reply.send(links === undefined ? envelopeBody(request, data) : { ...envelopeBody(request, data), links })
    }
  )

  // Sources and targets

  api.get<{ Params: { id: string }; Querystring: { include_fields?: string } }>(
    '/connections/:id/bulksync/source',
    {
      schema: {
        params: IdParams,
        querystring: SourceQuery,
        response: { 200: BulkSourceEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      answer(request, reply, bulkSource(store, connectionOf(request), request.query.include_fields === 'true'))
    }
  )

  api.get<{ Params: { id: string } }>(
    '/connections/:id/bulksync/target',
    { schema: { params: IdParams, response: { 200: BulkDestinationEnvelope, ...errorResponses(400, 401, 403, 404) } } },
    (request, reply) => answer(request, reply, bulkDestination(store, connectionOf(request)))
  )

  api.get<{ Params: { id: string }; Querystring: { params?: string } }>(
    '/connections/:id/modelsync/source',
    {
      schema: { params: IdParams, querystring: ParamsQuery, response: SOURCE_META }
    },
    (request, reply) => {
      parseParams(request.query.params)
      answer(request, reply, sourceMeta(store, connectionOf(request), 'modelsync_source'))
    }
  )

  api.get<{ Params: { id: string }; Querystring: { params?: string } }>(
    '/connections/:id/modelsync/source/fields',
    {
      schema: {
        params: IdParams,
        querystring: ParamsQuery,
        response: { 200: ModelFieldListEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) =>
      answer(request, reply, sourceFields(store, connectionOf(request), parseParams(request.query.params)))
  )

  api.get<{ Params: { id: string }; Querystring: { params?: string } }>(
    '/connections/:id/modelsync/enrichment-source',
    {
      schema: { params: IdParams, querystring: ParamsQuery, response: SOURCE_META }
    },
    (request, reply) => {
      parseParams(request.query.params)
      answer(request, reply, sourceMeta(store, connectionOf(request), 'enrichment'))
    }
  )

  api.post<{ Params: { id: string }; Body: { configuration?: Record<string, unknown> } | null }>(
    '/enrichment/:id/inputfields',
    {
      schema: {
        params: IdParams,
        body: EnrichmentInputBody,
        response: { 200: EnrichmentInputEnvelope, ...errorResponses(400, 401, 403, 404) }
      }
    },
    (request, reply) =>
      answer(request, reply, enrichmentInputs(store, connectionOf(request), request.body?.configuration ?? {}))
  )

  api.get<{ Params: { id: string }; Querystring: { type?: string; search?: string } }>(
    '/connections/:id/modelsync/target',
    {
      schema: { params: IdParams, querystring: TargetQuery, response: SOURCE_META }
    },
    (request, reply) => answer(request, reply, targetMeta(store, connectionOf(request), request.query.search))
  )

  api.get<{ Params: { id: string }; Querystring: { target: string; refresh?: string } }>(
    '/connections/:id/modelsync/target/fields',
    {
      schema: {
        params: IdParams,
        querystring: TargetFieldsQuery,
        response: { 200: TargetEnvelope, ...errorResponses(400, 401, 403, 404) }
      }
    },
    (request, reply) => answer(request, reply, targetFields(store, connectionOf(request), request.query.target))
  )

  api.get<{ Params: { id: string } }>(
    '/connections/:id/modelsync/targetobjects',
    { schema: { params: IdParams, response: { 200: TargetObjectsEnvelope, ...errorResponses(400, 401, 403, 404) } } },
    (request, reply) => {
      const { data, target_creation: creation } = targetObjects(store, connectionOf(request))
      reply.send({ ...envelopeBody(request, data), target_creation: creation })
    }
  )

  api.get<{ Params: { id: string; property: string } }>(
    '/connections/:id/modelsync/targetobjects/properties/:property',
    {
      schema: {
        params: PropertyParams,
        response: { 200: TargetPropertyEnvelope, ...errorResponses(400, 401, 403, 404) }
      }
    },
    (request, reply) => answer(request, reply, createProperty(store, connectionOf(request), request.params.property))
  )

  // Models' data

  api.get<{ Params: { id: string }; Querystring: { async?: string } }>(
    '/models/:id/sample',
    {
      schema: {
        params: SyncParams,
        querystring: AsyncQuery,
        response: { 200: ModelSampleEnvelope, ...errorResponses(400, 401, 404, 422, 503) }
      }
    },
    async (request) => {
      const model = store.access.reachableModel(callerOf(request), request.params.id)
      const connection = store.connections.find(model.connection_id) as StoredConnection
      const sample = await sampleModel(store, connection, {
        key: model.id,
        configuration: model.definition.configuration,
        fields: model.definition.fields
      })
      return answerWithJob(store, request, model.organization_id, 'samplemodel', sample)
    }
  )

  api.post<{ Querystring: { async?: string }; Body: ModelInput }>(
    '/model-preview',
    {
      schema: {
        querystring: AsyncQuery,
        body: ModelBody,
        response: { 200: ModelPreviewEnvelope, ...errorResponses(400, 401, 403, 404, 422, 503) }
      }
    },
    async (request) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
      const { view, connection } = store.models.preview(organization.id, request.body)
      const sample = await sampleModel(store, connection, {
        key: request.body.name,
        configuration: request.body.configuration,
        fields: request.body.fields
      })
      return answerWithJob(store, request, organization.id, 'previewmodel', { ...view, records: sample.records })
    }
  )
}
