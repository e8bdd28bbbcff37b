/** ESM + ts-jest: the action's dependencies (@actions/*) are ESM-only. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // End-to-end tests drive the real Claude Code CLI; they are not timed tests,
  // this only stops a hung child from blocking CI forever.
  testTimeout: 180000,
  maxWorkers: 2
}
