// Shared by jest's globalSetup and the terraform oracle: where terraform and the offline provider
// mirror are, and the one initialised working directory every oracle run links to.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const AWS_PROVIDER_VERSION = '5.100.0';
const MIRROR_CANDIDATES = [process.env.TF_PLUGIN_MIRROR, '/opt/tf-plugins', path.join(os.homedir(), '.terraform.d', 'plugins'), '/usr/share/terraform/plugins', '/usr/local/share/terraform/plugins'].filter(Boolean);

function findMirror() {
  for (const dir of MIRROR_CANDIDATES) {
    if (fs.existsSync(path.join(dir, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION))) return dir;
  }
  return undefined;
}

function terraformVersion() {
  const r = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: terraformProcessEnv() });
  if (r.error || r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout).terraform_version;
  } catch {
    return undefined;
  }
}

const cacheRoot = path.join(os.tmpdir(), `cdktf-ai-platform-tf-${AWS_PROVIDER_VERSION}`);

function terraformProcessEnv() {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const rc = path.join(cacheRoot, 'terraformrc');
  if (!fs.existsSync(rc)) fs.writeFileSync(rc, '# offline: providers come from -plugin-dir\n');
  return { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
}

/** Reason the oracle cannot run here, or undefined when it can. */
function unavailableReason() {
  if (!terraformVersion()) return 'terraform is not on PATH';
  if (!findMirror()) return `no offline mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} in ${MIRROR_CANDIDATES.join(', ')} (set TF_PLUGIN_MIRROR)`;
  return undefined;
}

/** Initialises (once per machine and provider version) the template dir whose .terraform every run links to. */
function ensureTemplate() {
  const dir = path.join(cacheRoot, 'template');
  if (fs.existsSync(path.join(dir, '.terraform.lock.hcl')) && fs.existsSync(path.join(dir, '.terraform', 'providers'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } } }));
  const r = spawnSync('terraform', ['init', '-backend=false', '-input=false', `-plugin-dir=${findMirror()}`], { cwd: dir, encoding: 'utf8', env: terraformProcessEnv() });
  if (r.status !== 0) throw new Error(`terraform init failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

module.exports = { AWS_PROVIDER_VERSION, findMirror, terraformVersion, unavailableReason, ensureTemplate, terraformProcessEnv, cacheRoot };
