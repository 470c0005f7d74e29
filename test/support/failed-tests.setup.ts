import { beforeEach } from 'vitest';
import { recordFailedTest } from './failed-tests.js';

// onTestFailed fires once the test's own outcome is known, before afterAll hooks drop what it used.
beforeEach(({ onTestFailed, task }) => {
  onTestFailed(() => recordFailedTest(task.fullName));
});
