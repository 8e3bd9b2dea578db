// The quick suites run as JavaScript (npm's pretest runs this): every .ts of src/ and test/ (but
// test/slow/, which runs through tsx) transpiled once into .tap-build/, same tree, inline source
// maps. A test process then loads plain modules instead of registering tsx and passing each import
// through its loader thread, which took about half a second of every file's start.
import { rmSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { build } from 'esbuild'

const OUT = '.tap-build'

async function sources (dir) {
  const files = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = `${entry.parentPath}/${entry.name}`
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !path.startsWith('test/slow/')) {
      files.push(path)
    }
  }
  return files
}

rmSync(OUT, { recursive: true, force: true })
const entryPoints = [...(await sources('src')), ...(await sources('test'))]
await build({
  entryPoints,
  outdir: OUT,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning'
})
