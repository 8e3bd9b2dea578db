/** Jest's globalTeardown: `globalTeardown: 'polytomic-mock/jest/global-teardown'` (see polytomic-mock/jest). */
import { globalTeardown } from '../jest.js'

export default globalTeardown
