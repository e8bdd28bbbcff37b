/**
 * Two tiers, one Jest run (`npm test`) or one each (`npm run test:unit`, `npm run test:e2e`):
 * - unit: pure modules, and the flows and main.ts in process against the fake
 *   GitHub server, real git and a scripted engine. The inner loop: seconds.
 * - e2e: the bundled dist/index.js on Node 24 and the packed CLI, driving the
 *   real Claude Code CLI (scripted model), the sandbox, the security attacks.
 *   `npm run test:e2e` and `npm test` bundle first, so it never runs a stale dist/.
 * ESM + ts-jest: the action's dependencies (@actions/*) are ESM-only.
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  }
}

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/github-server.test.ts']
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/*.e2e.test.ts'],
      globalSetup: '<rootDir>/test/support/node24-setup.js'
    }
  ],
  // Not timed tests (end-to-end ones drive the real Claude Code CLI; unit ones real git
  // on a shared machine): this only stops a hung child from blocking CI forever.
  testTimeout: 180000,
  maxWorkers: 2
}
