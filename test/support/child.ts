// Waiting on a child process by what it says, never by the clock: a line of its output is the
// signal; its exit, or a generous bound that only a hung child reaches, is the failure.
import type { ChildProcess } from 'node:child_process'

/** Long enough for a cold start on a machine whose cores are all busy; reached only by a hang. */
export const GENEROUS_MS = 120_000

/**
 * Resolves with the first line of the child's stdout or stderr that matches; rejects with all its
 * output if it exits first or says nothing that matches within `boundMs`.
 */
export async function waitForLine (child: ChildProcess, pattern: RegExp, boundMs = GENEROUS_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const finish = (err: Error | null, line?: string): void => {
      clearTimeout(bound)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      if (err === null) resolve(line as string)
      else reject(err)
    }
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const line = output.split('\n').find((l) => pattern.test(l))
      if (line !== undefined) finish(null, line)
    }
    const onExit = (code: number | null): void => {
      finish(new Error(`the child exited (${String(code)}) before printing ${String(pattern)}:\n${output}`))
    }
    const bound = setTimeout(() => {
      finish(new Error(`no line matching ${String(pattern)} within ${boundMs} ms:\n${output}`))
    }, boundMs)
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', onExit)
  })
}
