// One line per feature on stdout, read by the JUnit suite (pgwire CompatibilitySuiteTest):
// RESULT <feature> PASS|FAIL <detail>.
'use strict';

async function feature(name, fn) {
  try {
    const detail = await fn();
    console.log(`RESULT ${name} PASS ${detail || ''}`);
    return true;
  } catch (e) {
    const text = String((e && e.message) || e).replace(/\s+/g, ' ').slice(0, 300);
    console.log(`RESULT ${name} FAIL ${(e && e.name) || 'Error'}: ${text}`);
    console.error(e);
    return false;
  }
}

function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${typeof what === 'string' ? what : JSON.stringify(what)}`);
  }
}

module.exports = { feature, check };
