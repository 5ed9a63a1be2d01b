import type { Reporter, SerializedError, TestModule } from 'vitest/node';

// Prints the closing line CI reads in any language: "tests: N passed, N failed, N skipped".
// It must never read "0 failed" for a run vitest fails, so "failed" also counts what failed outside any test:
// each file or suite with errors of its own (a file that threw at import or did not parse, whose declared tests
// vitest drops; a failing beforeAll / afterAll) and each error vitest could not pin to a test (a throwing timer).
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      for (const owner of [mod, ...mod.children.allSuites()]) if (owner.errors().length > 0) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
