// Entry point of assets/jobs/cost.js (`node cost.js`, config in JOB_CONFIG or JOB_CONFIG_FILE).
import { runMain } from '../runtime/job';
import { COST_REPORT_JOB } from './run';

runMain(COST_REPORT_JOB);
