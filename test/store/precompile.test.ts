import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import type { ValidateFunction } from 'ajv'
import { precompiledSource, startupSchemas } from '../../src/http/precompile.js'
import { createAjv, firstIssue, schemaDigest } from '../../src/http/validation.js'
import { W } from '../helper.js'
import { PACKAGE_ROOT } from '../../src/core/paths.js'

// Inside the project, so that the generated module resolves ajv and ajv-formats as dist/ does.
const cacheDir = join(PACKAGE_ROOT, 'node_modules', '.cache')

t.test('the build-time validators report exactly what the validators compiled at run time report', async (t) => {
  const schemas = startupSchemas()
  mkdirSync(cacheDir, { recursive: true })
  const dir = mkdtempSync(join(cacheDir, 'pm-precompile-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'validators.cjs')
  writeFileSync(file, precompiledSource(schemas))
  const precompiled = createRequire(import.meta.url)(file) as Record<string, ValidateFunction>
  const digests = new Set(schemas.map((schema) => schemaDigest(JSON.stringify(schema))))
  t.same(new Set(Object.keys(precompiled)), digests, 'one validator per schema, filed by its digest')

  const ajv = createAjv()
  const samples: unknown[] = [
    {},
    [],
    null,
    'text',
    { users: [{ id: W.jane.id, organization_id: W.org.id, email: 'a@b.co', emial: 'typo' }] },
    { partners: [{ id: 5, name: '', key: '' }], organizations: 'not a list', unknown_collection: [] },
    { executions: [{ id: W.org.id, created_at: 'yesterday' }], jobs: [{ type: 'nonsense' }] },
    { connection_types: [{ id: 'Bad Id', configuration: { properties: { __x: {} } } }] },
    {
      model_syncs: [{ id: W.org.id, fields: [{}], identity: 3 }],
      bulk_syncs: [{ schedule: { frequency: 'sometimes' } }]
    }
  ]
  for (const schema of schemas) {
    const built = precompiled[schemaDigest(JSON.stringify(schema))] as ValidateFunction
    const compiled = ajv.compile(schema)
    for (const sample of samples) {
      const candidates = [
        sample,
        ...Object.values((typeof sample === 'object' && sample !== null ? sample : {}) as Record<string, unknown>)
      ]
      for (const data of candidates) {
        const a = built(data)
        const b = compiled(data)
        if (
          a !== b ||
          JSON.stringify(firstIssue(built.errors ?? [])) !== JSON.stringify(firstIssue(compiled.errors ?? []))
        ) {
          t.fail(`${JSON.stringify(schema).slice(0, 60)} on ${JSON.stringify(data).slice(0, 60)}`)
        }
      }
    }
  }
  t.pass('every sample got the same verdict and the same first issue')
})
