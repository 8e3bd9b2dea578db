import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import { overBudget } from '../core/bounds.js'
import { statements } from './table.js'
import type { Db } from './db.js'

export type IdempotencyOutcome =
  | { kind: 'new' }
  | { kind: 'in-flight' }
  | { kind: 'replay'; status: number; headers: Record<string, string>; body: string }
  /** The first answer held a secret, sealed by a process that is gone: it cannot be given again. */
  | { kind: 'sealed' }

interface Row {
  state: 'pending' | 'done'
  status: number | null
  headers: string | null
  body: string | null
  created_at: number
  sealed: number
}

/**
 * A key claimed by a request: the credential's scope, the key, and the partner whose budget it counts against
 * ('' for none).
 */
export interface IdempotencyClaim {
  scope: string
  key: string
  partner: string
}

/** How much of the idempotency store one partner may fill. */
export interface IdempotencyBounds {
  records: number
  bytes: number
}

/**
 * A body that held a secret, encrypted (AES-256-GCM) with a key that lives only in this process's
 * memory: on disk it is noise, and once the process is gone nobody can open it.
 */
class Seal {
  private readonly key = randomBytes(32)

  close (text: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')
  }

  /** The text, or null when another process (another key) sealed it. */
  open (sealed: string): string | null {
    const raw = Buffer.from(sealed, 'base64')
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    } catch {
      return null
    }
  }
}

interface IdempotencyStatements {
  find: Statement<[string, string], Row>
  upsertPending: Statement<[string, string, number, string]>
  finish: Statement<
    [{ status: number; headers: string; body: string; bytes: number; sealed: number; scope: string; key: string }]
  >
  kept: Statement<[string], { scope: string; key: string; bytes: number }>
  removeOne: Statement<[string, string]>
  dropPending: Statement<[string, string]>
  purge: Statement<[number]>
  removeAll: Statement<[]>
  removePending: Statement<[]>
}

/**
 * Idempotency-Key records (reference 7): the first request with a key fixes the outcome; later
 * ones get it back until the record expires. Kept in SQLite, so they survive a restart, except
 * what an answer held of a secret (a minted key): such a body is sealed (see Seal), and a repeat
 * after a restart is refused rather than answered with another key. Each partner keeps at most
 * its bounds' records and bytes; past them its oldest records are forgotten.
 */
export class IdempotencyRepository {
  private readonly sql: IdempotencyStatements
  private readonly seal = new Seal()
  private readonly begin: (
    scope: string,
    key: string,
    now: number,
    ttlMs: number,
    partner: string
  ) => IdempotencyOutcome

  constructor (
    db: Db,
    private readonly bounds: IdempotencyBounds
  ) {
    this.sql = statements<IdempotencyStatements>(db, {
      find: 'SELECT state, status, headers, body, created_at, sealed FROM idempotency_keys WHERE scope = ? AND key = ?',
      upsertPending: `INSERT INTO idempotency_keys (scope, key, state, created_at, partner) VALUES (?, ?,
        'pending', ?, ?)
        ON CONFLICT (scope, key) DO UPDATE SET state = 'pending', status = NULL, headers = NULL, body = NULL, bytes
          = 0, sealed = 0,
          created_at = excluded.created_at, partner = excluded.partner`,
      finish: `UPDATE idempotency_keys SET state = 'done', status = @status, headers = @headers, body = @body,
        bytes = @bytes, sealed = @sealed
        WHERE scope = @scope AND key = @key`,
      kept: "SELECT scope, key, bytes FROM idempotency_keys WHERE partner = ? AND state = 'done' ORDER BY created_at",
      removeOne: 'DELETE FROM idempotency_keys WHERE scope = ? AND key = ?',
      dropPending: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'pending'",
      purge: 'DELETE FROM idempotency_keys WHERE created_at < ?',
      removeAll: 'DELETE FROM idempotency_keys',
      removePending: "DELETE FROM idempotency_keys WHERE state = 'pending'"
    })
    this.begin = db.transaction(
      (scope: string, key: string, now: number, ttlMs: number, partner: string): IdempotencyOutcome => {
        const row = this.sql.find.get(scope, key)
        if (row !== undefined && row.created_at + ttlMs > now) {
          if (row.state === 'pending') return { kind: 'in-flight' }
          const body = row.sealed === 1 ? this.seal.open(row.body ?? '') : (row.body ?? '')
          if (body === null) return { kind: 'sealed' }
          return {
            kind: 'replay',
            status: row.status as number,
            headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
            body
          }
        }
        this.sql.upsertPending.run(scope, key, now, partner)
        return { kind: 'new' }
      }
    )
    this.end = db.transaction(
      (claim: IdempotencyClaim, status: number, headers: string, body: string, sealed: boolean) => {
        const { scope, key } = claim
        const kept = sealed ? this.seal.close(body) : body
        const bytes = kept.length + headers.length
        this.sql.finish.run({ status, headers, body: kept, bytes, sealed: sealed ? 1 : 0, scope, key })
        // The record just made is the newest, so it is kept; the budget counts it.
        const records = this.sql.kept
          .all(claim.partner)
          .filter((record) => record.scope !== scope || record.key !== key)
        for (const record of overBudget([...records, { scope, key, bytes }], this.bounds.records, this.bounds.bytes)) {
          this.sql.removeOne.run(record.scope, record.key)
        }
      }
    )
  }

  private readonly end: (
    claim: IdempotencyClaim,
    status: number,
    headers: string,
    body: string,
    sealed: boolean
  ) => void

  /**
   * Claims a key for a new request (for the caller's partner: '' for none), or says how to answer:
   * replay the recorded outcome, 409 while the first is running, or 409 when it was sealed by a
   * process that is gone.
   */
  start (scope: string, key: string, now: number, ttlMs: number, partner = ''): IdempotencyOutcome {
    return this.begin(scope, key, now, ttlMs, partner)
  }

  /**
   * Records the outcome of a claim that start() answered `new`; `sealed` when the body holds a secret, which
   * must not reach the disk.
   */
  complete (
    claim: IdempotencyClaim,
    status: number,
    headers: Record<string, string>,
    body: string,
    sealed = false
  ): void {
    this.end(claim, status, JSON.stringify(headers), body, sealed)
  }

  /** A claimed request that produced no response (the client went away): the key is free again. */
  abandon (scope: string, key: string): void {
    this.sql.dropPending.run(scope, key)
  }

  purgeOlderThan (cutoff: number): void {
    this.sql.purge.run(cutoff)
  }

  clear (): void {
    this.sql.removeAll.run()
  }

  /** At start no request can be in flight: claims left by a crash are dropped. */
  dropStaleClaims (): void {
    this.sql.removePending.run()
  }
}
