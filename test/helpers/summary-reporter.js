'use strict';
// Mocha's spec reporter, plus the closing line CI reads: "N passed, N failed".
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? this.stats;
      // Spec prints its epilogue on the same event; print after it.
      setImmediate(() => {
        const skipped = pending ? `, ${pending} skipped` : '';
        process.stdout.write(`\n${passes} passed, ${failures} failed${skipped}\n`);
      });
    });
  }
}

module.exports = SummaryReporter;
