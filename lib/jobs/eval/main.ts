// Entry point of assets/jobs/eval.js (`node eval.js`, config in JOB_CONFIG or JOB_CONFIG_FILE).
import { runMain } from '../runtime/job';
import { EVAL_JOB } from './run';

runMain(EVAL_JOB);
