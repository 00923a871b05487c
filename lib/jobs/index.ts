// Public API of the jobs area: the config contract, the bundle locations and the runtime image.
// The job runtime itself (lib/jobs/runtime, drift, eval) is bundled into assets/jobs and not exported.
export * from './config';
export * from './bundle';
// The image facts (release schedule, fact table) stay internal.
export { JOB_NODE_IMAGE, JOB_NODE_USER_ID } from './images';
