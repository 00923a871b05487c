/**
 * Image that runs the job bundles (`node /jobs/<name>.js`): the official Node.js image, mirrored by
 * Amazon ECR Public (no Docker Hub pull limits from EKS nodes). Node 24 is the active LTS line (support
 * until April 2028); Alpine keeps the pull small. The tag is taken from nodejs/docker-node
 * (24/alpine3.24, NODE_VERSION 24.19.0). Pinned by tag: bump it with the Node security releases.
 */
export const JOB_NODE_IMAGE = 'public.ecr.aws/docker/library/node:24.19.0-alpine3.24';

/**
 * UID/GID of the `node` user of the official image: the jobs run as it (runAsNonRoot needs a numeric id).
 */
export const JOB_NODE_USER_ID = 1000;
