import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../control/clock.js'
import { Errors } from '../../core/errors.js'
import type { ConsoleEntry } from './console-log.js'
import type { ExecutionRepository, StoredExecution } from './executions.js'

/** A model-sync run's log categories (V2ExecutionLogType). */
export const MODEL_LOG_TYPES = ['records', 'errors', 'warnings', 'inserts', 'updates', 'deletes'] as const
export type ModelLogType = (typeof MODEL_LOG_TYPES)[number]

/** Where the files are served: GET <origin>/files/logs/<execution id>/<file name>?expires=…&signature=…. */
export const LOG_FILES_PATH = '/files/logs'

/** A run's log file: its name and its lines (JSON lines, one console-log entry each). */
interface LogFile {
  name: string
  lines: readonly object[]
}

/** A set of signed URLs and when they stop working (ExecutionLogResponse). */
export interface SignedUrls {
  expires: string
  urls: string[]
}

/**
 * A run's log files and their signed URLs. The files are read from the run's console log (the one source of
 * what a run wrote) when they are downloaded, so they go with their run, with reset and with the tenant. A URL
 * names the run and the file and carries an expiry on simulated time and an HMAC of the three under a key made
 * when the process starts: it cannot be guessed, needs no credential (as a pre-signed URL), and stops working
 * when it expires or when the simulator restarts.
 */
export class RunLogs {
  private readonly key: Buffer

  constructor (
    private readonly executions: Pick<ExecutionRepository, 'find' | 'consoleLog' | 'modelView'>,
    private readonly clock: Clock,
    /** How long a URL works (LOG_URL_TTL_S), in simulated ms. */
    private readonly ttlMs: number,
    key: Buffer = randomBytes(32)
  ) {
    this.key = key
  }

  /** bulkSync.executions.getLogs: the whole run's log, then each schema's. */
  bulkUrls (origin: string, execution: StoredExecution): SignedUrls {
    const files = bulkFiles(execution, this.executions.consoleLog(execution))
    return this.signed(origin, execution.id, files.map((f) => f.name))
  }

  /** modelSync.executions.getLogUrls: the run's files of one category (none when it has no such lines). */
  modelUrls (origin: string, execution: StoredExecution, type: ModelLogType): SignedUrls {
    const files = this.modelFiles(execution, type, this.executions.consoleLog(execution))
    return this.signed(origin, execution.id, files.map((f) => f.name))
  }

  /** modelSync.executions.getLogs: the URL of one file of a category; a name the run does not have is a 404. */
  modelFileUrl (origin: string, execution: StoredExecution, type: ModelLogType, filename: string): SignedUrls {
    const files = this.modelFiles(execution, type, this.executions.consoleLog(execution))
    if (!files.some((f) => f.name === filename)) {
      throw Errors.LogFileNotFound({ message: `this run has no ${type} log file named ${filename}` })
    }
    return this.signed(origin, execution.id, [filename])
  }

  /** bulkSync.executions.exportLogs: the URL of one file holding every line the run wrote. */
  exportUrl (origin: string, execution: StoredExecution): string {
    return this.signed(origin, execution.id, [exportName(execution)]).urls[0] as string
  }

  /**
   * A file's content, for its signed URL: a signature that does not match, or an expired one, is a 403 (the
   * same for a run that never was); a run gone since is a 404.
   */
  read (executionId: string, name: string, expires: string | undefined, signature: string | undefined): string {
    const expiresMs = Number(expires)
    if (
      expires === undefined ||
      signature === undefined ||
      !/^\d{1,15}$/.test(expires) ||
      !this.matches(signature, this.sign(executionId, name, expiresMs))
    ) {
      throw Errors.LogUrlInvalid()
    }
    if (this.clock.now() > expiresMs) throw Errors.LogUrlInvalid({ message: 'this signed URL has expired' })
    const execution = this.executions.find(executionId)
    const file = execution === undefined ? undefined : this.filesOf(execution).find((f) => f.name === name)
    if (file === undefined) throw Errors.LogFileNotFound()
    return file.lines.map((line) => JSON.stringify(line) + '\n').join('')
  }

  /** Every file of a run, from its console log read once. */
  private filesOf (execution: StoredExecution): LogFile[] {
    const log = this.executions.consoleLog(execution)
    const files =
      execution.kind === 'bulk'
        ? bulkFiles(execution, log)
        : MODEL_LOG_TYPES.flatMap((type) => this.modelFiles(execution, type, log))
    return [...files, { name: exportName(execution), lines: log }]
  }

  private modelFiles (execution: StoredExecution, type: ModelLogType, log: readonly ConsoleEntry[]): LogFile[] {
    const lines = this.modelLines(execution, type, log)
    return lines.length === 0 ? [] : [{ name: `${type}-${execution.id}.jsonl`, lines }]
  }

  /**
   * A category's lines: records, every line; errors, the lines at level error and those that count rejected
   * records; warnings, the lines at level warn; inserts, updates and deletes, a line with that count of a
   * completed run (the simulator keeps counts, not the records).
   */
  private modelLines (execution: StoredExecution, type: ModelLogType, log: readonly ConsoleEntry[]): readonly object[] {
    switch (type) {
      case 'records':
        return log
      case 'errors':
        return log.filter((e) => e.level === 'error' || Number(e.payload.error_count ?? 0) > 0)
      case 'warnings':
        return log.filter((e) => e.level === 'warn')
      default: {
        const counts = this.executions.modelView(execution).counts as Record<string, number>
        const count = counts[type === 'inserts' ? 'insert' : type === 'updates' ? 'update' : 'delete'] ?? 0
        if (count === 0) return []
        const at = execution.completed_ms ?? execution.updated_ms
        return [{ timestamp: new Date(at).toISOString(), level: 'info', message: `${count} ${type}`, count }]
      }
    }
  }

  private signed (origin: string, executionId: string, names: readonly string[]): SignedUrls {
    const expiresMs = this.clock.now() + this.ttlMs
    return {
      expires: new Date(expiresMs).toISOString(),
      urls: names.map(
        (name) =>
          `${origin}${LOG_FILES_PATH}/${executionId}/${encodeURIComponent(name)}?expires=${expiresMs}` +
          `&signature=${this.sign(executionId, name, expiresMs)}`
      )
    }
  }

  private sign (executionId: string, name: string, expiresMs: number): string {
    return createHmac('sha256', this.key).update(`${executionId}\n${name}\n${expiresMs}`).digest('hex')
  }

  private matches (given: string, expected: string): boolean {
    const a = Buffer.from(given)
    const b = Buffer.from(expected)
    return a.length === b.length && timingSafeEqual(a, b)
  }
}

/** A bulk run's files: its whole log, then each schema's lines. */
function bulkFiles (execution: StoredExecution, log: readonly ConsoleEntry[]): LogFile[] {
  return [
    { name: 'execution.jsonl', lines: log },
    ...execution.plan.schemas.map((schema) => ({
      name: `schema-${schema.schema}.jsonl`,
      lines: log.filter((entry) => entry.payload.schema_id === schema.schema)
    }))
  ]
}

function exportName (execution: StoredExecution): string {
  return `export-${execution.id}.jsonl`
}
