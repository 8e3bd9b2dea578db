/**
 * The terminal verbs of the polytomic-mock command: the console's controls for a shell, against a simulator that
 * is already running (--url, else POLYTOMIC_MOCK_URL, else http://127.0.0.1:$PORT). Each is one admin call through
 * the AdminClient, the one a test makes. Exit codes are the server's: 0 done, 2 a malformed command line, 1 the
 * simulator refused or could not be reached; an error is one line on stderr.
 */
import { AdminClient, AdminError } from './client.js'
import type { JournalEntry } from './control/journal.js'
import type { ExecutionView } from './store/world-view.js'
import { ConfigError, terminalTarget } from './core/config.js'
import { didYouMean } from './core/suggest.js'

interface Output {
  out: (line: string) => void
  err: (line: string) => void
}

interface Verb {
  usage: string
  /** Flags it takes: true for a switch, false for one with a value. */
  flags: Record<string, boolean>
  /** How many positional arguments, at least and at most. */
  positionals: [number, number]
  /** Resolves to the exit code (0 when nothing is said). */
  run: (admin: AdminClient, args: Args, io: Output, signal: AbortSignal) => Promise<number | void>
}

interface Args {
  positionals: string[]
  flags: Map<string, string | true>
}

const COMMON = { '--url': false, '--admin-token': false, '--json': true }

function text (args: Args, name: string): string | undefined {
  const value = args.flags.get(name)
  return typeof value === 'string' ? value : undefined
}

function count (args: Args, name: string): number | undefined {
  const value = text(args, name)
  if (value === undefined) return undefined
  if (!/^\d{1,9}$/.test(value)) throw new ConfigError(`${name} needs a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

/** One request as one line: time, method, path, status, duration, and why it failed. */
export function requestLine (entry: JournalEntry): string {
  const response = entry.response as { key?: unknown; message?: unknown } | null
  let why = ''
  if (entry.status >= 400) {
    if (entry.fault !== null) why = `  fault ${entry.fault}`
    else if (response !== null && typeof response === 'object' && typeof response.message === 'string') {
      why = `  ${typeof response.key === 'string' ? `${response.key}: ` : ''}${response.message}`
    }
  }
  const retry = entry.retry_of === null ? '' : `  (retry of #${entry.retry_of})`
  const time = entry.time.slice(11, 23)
  return `${time} ${entry.method.padEnd(6)} ${entry.path} ${entry.status} ${entry.duration_ms}ms${why}${retry}`
}

function runLine (run: ExecutionView): string {
  const e = run.execution as { id: string; status: string; status_message?: string }
  const message = e.status_message === undefined ? '' : `  ${e.status_message}`
  return `${e.id}  ${run.kind.padEnd(5)} sync ${run.sync_id}  ${e.status}${run.hanging ? ' (hanging)' : ''}${message}`
}

function print (io: Output, args: Args, value: unknown, line: () => string): void {
  io.out(args.flags.has('--json') ? JSON.stringify(value, null, 2) : line())
}

const VERBS: Record<string, Verb> = {
  requests: {
    usage: 'requests [--follow] [--method M] [--path P] [--status N] [--partner ID] [--org ID] [--limit N]',
    flags: {
      '--follow': true,
      '--method': false,
      '--path': false,
      '--status': false,
      '--partner': false,
      '--org': false,
      '--limit': false
    },
    positionals: [0, 0],
    run: async (admin, args, io, signal) => {
      const filter = {
        method: text(args, '--method'),
        path: text(args, '--path'),
        status: count(args, '--status'),
        partner_id: text(args, '--partner'),
        organization_id: text(args, '--org')
      }
      // The newest entry of all first: the feed starts after it, or after the newest one printed, so that
      // nothing recorded in between is missed or printed twice.
      const newest = args.flags.has('--follow') ? ((await admin.requests({ limit: 1 }))[0]?.id ?? 0) : 0
      const recent = await admin.requests({ ...filter, limit: count(args, '--limit') ?? 20 })
      const show = (entry: JournalEntry): void => {
        io.out(args.flags.has('--json') ? JSON.stringify(entry) : requestLine(entry))
      }
      for (const entry of [...recent].reverse()) show(entry)
      if (!args.flags.has('--follow')) return 0
      const after = Math.max(newest, recent[0]?.id ?? 0)
      for await (const entry of admin.followRequests({ ...filter, after }, { signal })) show(entry)
      if (!signal.aborted) {
        throw new AdminError('GET', '/__admin/requests/stream', 0, { message: 'the simulator closed the feed' })
      }
      return 0
    }
  },
  settle: {
    usage: 'settle [--fast-forward] [--timeout-ms N] [--org ID] [--partner ID]',
    flags: { '--fast-forward': true, '--timeout-ms': false, '--org': false, '--partner': false },
    positionals: [0, 0],
    run: async (admin, args, io) => {
      const result = await admin.settleDeliveries({
        fast_forward: args.flags.has('--fast-forward') ? true : undefined,
        timeout_ms: count(args, '--timeout-ms'),
        organization_id: text(args, '--org'),
        partner_id: text(args, '--partner')
      })
      print(io, args, result, () =>
        result.settled
          ? 'every delivery settled'
          : `not settled: ${result.pending} pending, ${result.in_flight} in flight`
      )
      return result.settled ? 0 : 1
    }
  },
  emit: {
    usage: 'emit <event type> --org <organization id>',
    flags: { '--org': false },
    positionals: [1, 1],
    run: async (admin, args, io) => {
      const organization = text(args, '--org')
      if (organization === undefined) throw new ConfigError('emit needs --org <organization id>')
      const event = await admin.emitEvent({
        organization_id: organization,
        type: args.positionals[0] as never
      })
      print(io, args, event, () => `emitted ${event.type} ${event.id}`)
    }
  },
  runs: {
    usage: 'runs [--sync ID] [--org ID] [--status S] [--limit N]',
    flags: { '--sync': false, '--org': false, '--status': false, '--limit': false },
    positionals: [0, 0],
    run: async (admin, args, io) => {
      const runs = await admin.executions({
        sync_id: text(args, '--sync'),
        organization_id: text(args, '--org'),
        status: text(args, '--status'),
        limit: count(args, '--limit')
      })
      print(io, args, runs, () => (runs.length === 0 ? 'no runs' : runs.map(runLine).join('\n')))
    }
  },
  run: {
    usage: 'run <execution id> --complete | --fail <message> | --hang | --cancel | --advance',
    flags: { '--complete': true, '--fail': false, '--hang': true, '--cancel': true, '--advance': true },
    positionals: [1, 1],
    run: async (admin, args, io) => {
      const chosen = ['--complete', '--fail', '--hang', '--cancel', '--advance'].filter((f) => args.flags.has(f))
      if (chosen.length !== 1) {
        throw new ConfigError('run needs exactly one of --complete, --fail <message>, --hang, --cancel, --advance')
      }
      const input =
        chosen[0] === '--complete'
          ? { status: 'completed' as const }
          : chosen[0] === '--fail'
            ? { status: 'failed' as const, message: text(args, '--fail') }
            : chosen[0] === '--hang'
              ? { status: 'hanging' as const }
              : chosen[0] === '--cancel'
                ? { status: 'canceled' as const }
                : {}
      const run = await admin.advanceExecution(args.positionals[0] as string, input)
      print(io, args, run, () => runLine(run))
    }
  },
  reset: {
    usage: 'reset',
    flags: {},
    positionals: [0, 0],
    run: async (admin, args, io) => {
      const counts = await admin.reset()
      print(io, args, counts, () => `reset to the fixtures: ${summaryOf(counts)}`)
    }
  },
  snapshot: {
    usage: 'snapshot <name>',
    flags: {},
    positionals: [1, 1],
    run: async (admin, args, io) => {
      const saved = await admin.snapshot(args.positionals[0] as string)
      print(io, args, saved, () => `saved snapshot ${saved.name}: ${summaryOf(saved.counts)}`)
    }
  },
  restore: {
    usage: 'restore <name>',
    flags: {},
    positionals: [1, 1],
    run: async (admin, args, io) => {
      const counts = await admin.restore(args.positionals[0] as string)
      print(io, args, counts, () => `restored ${args.positionals[0] ?? ''}: ${summaryOf(counts)}`)
    }
  }
}

export const TERMINAL_VERBS = Object.keys(VERBS)

function summaryOf (counts: Record<string, number>): string {
  const shown = ['organizations', 'users', 'connections', 'bulk_syncs', 'model_syncs', 'executions']
  return shown.filter((name) => counts[name] !== undefined).map((name) => `${counts[name]} ${name}`).join(', ')
}

export function terminalHelp (): string {
  return [
    'Verbs, against a running simulator (--url, else POLYTOMIC_MOCK_URL, else http://127.0.0.1:$PORT;',
    '--admin-token, else POLYTOMIC_MOCK_ADMIN_TOKEN, else ADMIN_TOKEN; --json prints what the admin API answered):',
    ...Object.values(VERBS).map((verb) => `  polytomic-mock ${verb.usage}`),
    ''
  ].join('\n')
}

function parse (verb: string, spec: Verb, argv: readonly string[]): Args {
  const flags = new Map<string, string | true>()
  const positionals: string[] = []
  const known: Record<string, boolean> = { ...COMMON, ...spec.flags }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const isSwitch = known[name]
    if (isSwitch === undefined) {
      const hint = didYouMean(name, Object.keys(known))
      throw new ConfigError(`${verb}: unknown option ${name}${hint}; usage: ${spec.usage}`)
    }
    if (isSwitch) {
      flags.set(name, true)
      continue
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) throw new ConfigError(`${verb}: ${name} needs a value`)
    flags.set(name, value)
  }
  const [least, most] = spec.positionals
  if (positionals.length < least || positionals.length > most) {
    throw new ConfigError(`usage: polytomic-mock ${spec.usage}`)
  }
  return { positionals, flags }
}

/**
 * Runs a verb; resolves to the exit code. `env` gives the defaults of --url and --admin-token; `signal` ends a
 * follow (the command line aborts it on SIGINT).
 */
export async function runVerb (
  argv: readonly string[],
  env: NodeJS.ProcessEnv | undefined,
  io: Output,
  signal: AbortSignal
): Promise<number> {
  const [verb = '', ...rest] = argv
  const spec = VERBS[verb]
  try {
    if (spec === undefined) throw new ConfigError(`unknown verb ${verb}${didYouMean(verb, TERMINAL_VERBS)}`)
    const args = parse(verb, spec, rest)
    const target = terminalTarget(env)
    const token = text(args, '--admin-token') ?? target.token
    let admin: AdminClient
    try {
      admin = new AdminClient(text(args, '--url') ?? target.url, { token })
    } catch (err) {
      throw new ConfigError(`--url: ${(err as Error).message}`)
    }
    return (await spec.run(admin, args, io, signal)) ?? 0
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`polytomic-mock: ${err.message}`)
      return 2
    }
    if (err instanceof AdminError) {
      const body = err.body as { message?: unknown } | undefined
      const detail = typeof body?.message === 'string' ? body.message : err.message
      io.err(`polytomic-mock: ${verb}: ${err.status === 0 ? detail : `${err.status} ${err.key}: ${detail}`}`)
      return 1
    }
    throw err
  }
}
