/**
 * Two projects: `unit` (pure code, fast) and `e2e` (real OHIF viewer in Debian Chromium,
 * started by the test itself). `npm test` runs both; `npm run test:unit` only the first.
 */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform: { '\\.[jt]sx?$': 'babel-jest' },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
      transform: { '\\.[jt]sx?$': 'babel-jest' },
      slowTestThreshold: 60,
    },
  ],
};
