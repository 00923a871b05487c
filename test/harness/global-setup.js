// Runs once per `npm test`: initialises terraform from the offline mirror so that each oracle test
// only links to it, and derives the reference fixtures if they are missing.
'use strict';
const env = require('./terraform-env');

module.exports = async () => {
  const reason = env.unavailableReason();
  if (reason) {
    process.stdout.write(`\n[terraform oracle] SKIPPED everywhere: ${reason}\n`);
    return;
  }
  env.ensureTemplate();
};
