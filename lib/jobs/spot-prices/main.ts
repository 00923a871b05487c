// Entry point of assets/jobs/spot-prices.js (`node spot-prices.js`, config in JOB_CONFIG or JOB_CONFIG_FILE).
import { runMain } from '../runtime/job';
import { SPOT_PRICE_JOB } from './run';

runMain(SPOT_PRICE_JOB);
