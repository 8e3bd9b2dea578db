import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'

export type IdempotencyOutcome =
  | { kind: 'new' }
  | { kind: 'in-flight' }
  | { kind: 'replay', status: number, headers: Record<string, string>, body: string }

interface Row { state: 'pending' | 'done', status: number | null, headers: string | null, body: string | null, created_at: number }

/**
 * Idempotency-Key records (reference 7): the first request with a key fixes the outcome; later
 * ones get it back until the record expires. Kept in SQLite, so they survive a restart.
 */
export class IdempotencyRepository {
  private readonly find: Statement<[string, string], Row>
  private readonly upsertPending: Statement<[string, string, number]>
  private readonly finish: Statement<[number, string, string, string, string]>
  private readonly dropPending: Statement<[string, string]>
  private readonly purge: Statement<[number]>
  private readonly removeAll: Statement<[]>
  private readonly removePending: Statement<[]>
  private readonly begin: (scope: string, key: string, now: number, ttlMs: number) => IdempotencyOutcome

  constructor (db: Db) {
    this.find = db.prepare('SELECT state, status, headers, body, created_at FROM idempotency_keys WHERE scope = ? AND key = ?')
    this.upsertPending = db.prepare(`INSERT INTO idempotency_keys (scope, key, state, created_at) VALUES (?, ?, 'pending', ?)
      ON CONFLICT (scope, key) DO UPDATE SET state = 'pending', status = NULL, headers = NULL, body = NULL, created_at = excluded.created_at`)
    this.finish = db.prepare("UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ? WHERE scope = ? AND key = ?")
    this.dropPending = db.prepare("DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'pending'")
    this.purge = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?')
    this.removeAll = db.prepare('DELETE FROM idempotency_keys')
    this.removePending = db.prepare("DELETE FROM idempotency_keys WHERE state = 'pending'")
    this.begin = db.transaction((scope: string, key: string, now: number, ttlMs: number): IdempotencyOutcome => {
      const row = this.find.get(scope, key)
      if (row !== undefined && row.created_at + ttlMs > now) {
        if (row.state === 'pending') return { kind: 'in-flight' }
        return { kind: 'replay', status: row.status as number, headers: JSON.parse(row.headers ?? '{}') as Record<string, string>, body: row.body ?? '' }
      }
      this.upsertPending.run(scope, key, now)
      return { kind: 'new' }
    })
  }

  /** Claims a key for a new request, or says how to answer: replay the recorded outcome, or 409 while the first is running. */
  start (scope: string, key: string, now: number, ttlMs: number): IdempotencyOutcome {
    return this.begin(scope, key, now, ttlMs)
  }

  complete (scope: string, key: string, status: number, headers: Record<string, string>, body: string): void {
    this.finish.run(status, JSON.stringify(headers), body, scope, key)
  }

  /** A claimed request that produced no response (the client went away): the key is free again. */
  abandon (scope: string, key: string): void {
    this.dropPending.run(scope, key)
  }

  purgeOlderThan (cutoff: number): void {
    this.purge.run(cutoff)
  }

  clear (): void {
    this.removeAll.run()
  }

  /** At start no request can be in flight: claims left by a crash are dropped. */
  dropStaleClaims (): void {
    this.removePending.run()
  }
}
