import { parentPort, workerData } from 'node:worker_threads';
import { checkPolicy, type PolicyTarget } from './check-policy.js';

// Runs one policy check off the main thread, so the caller can stop it at a deadline.
const { policyText, target } = workerData as { policyText: string; target: PolicyTarget };
parentPort?.postMessage(await checkPolicy(policyText, target));
