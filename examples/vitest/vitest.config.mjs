// One simulator for the whole run, started by the global set-up with these settings (createSimulator's options;
// the CLI's environment variables work too). Every test file gets a tenant of its own from useTenant().
import { polytomicMock } from 'polytomic-mock/vitest'

export default {
  test: {
    globalSetup: [polytomicMock({ webhookRetryBaseMs: 5 })]
  }
}
