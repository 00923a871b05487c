// Entry point of assets/jobs/drift.js (`node drift.js`, config in JOB_CONFIG or JOB_CONFIG_FILE).
import { runMain } from '../runtime/job';
import { DRIFT_JOB } from './run';

runMain(DRIFT_JOB);
