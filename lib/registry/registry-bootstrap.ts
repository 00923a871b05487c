// What runs inside the cluster to set up MLflow's auth: the auth database (an init container of the
// MLflow pods) and one MLflow user per grantee (a Job after the server is up). Both run in the MLflow
// image, whose Python has psycopg2 (the chart's PostgreSQL backend needs it) and MLflow's own auth
// client; nothing is installed at run time.
import { JsonObject, KubernetesObject } from '../k8s/values';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';

/** Environment variable names the auth-database init container reads. */
export const AUTH_DB_ENV = { user: 'AUTH_DB_USER', password: 'AUTH_DB_PASSWORD', database: 'AUTH_DB_NAME' } as const;

/**
 * Creates (or updates) the auth database's own PostgreSQL role and database, then runs MLflow's
 * auth migrations, all under an advisory lock so replicas starting together do not race. The
 * master user (the backend store's, from libpq's PG* variables) creates them; the role may connect
 * only to its database and create only in its `public` schema. Idempotent: the role's password is
 * reset to the secret's on every start (rotation), existing objects are kept.
 */
export const AUTH_DB_INIT_SCRIPT = `
import os, sys
import psycopg2
from psycopg2 import sql
from sqlalchemy import create_engine
from mlflow.server.auth.db.utils import migrate_if_needed

role, password, dbname = os.environ["${AUTH_DB_ENV.user}"], os.environ["${AUTH_DB_ENV.password}"], os.environ["${AUTH_DB_ENV.database}"]
master = psycopg2.connect("")
master.autocommit = True
cur = master.cursor()
cur.execute("SELECT pg_advisory_lock(hashtext('mlflow-auth-bootstrap'))")
cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
verb = "ALTER" if cur.fetchone() else "CREATE"
cur.execute(sql.SQL(verb + " ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s").format(sql.Identifier(role)), (password,))
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
if not cur.fetchone():
    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname)))
cur.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(dbname), sql.Identifier(role)))
own = psycopg2.connect("", dbname=dbname)
own.autocommit = True
own.cursor().execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(sql.Identifier(role)))
own.close()
uri = "postgresql://{}:{}@{}:{}/{}?sslmode={}".format(role, password, os.environ["PGHOST"], os.environ.get("PGPORT", "5432"), dbname, os.environ.get("PGSSLMODE", "require"))
migrate_if_needed(create_engine(uri), "head")
cur.execute("SELECT pg_advisory_unlock(hashtext('mlflow-auth-bootstrap'))")
master.close()
print("auth database " + dbname + " ready (role " + role + ")")
`.trim();

/** One MLflow user the bootstrap Job creates (config, no secret). */
export interface BootstrapUser {
  /** MLflow user name. */
  readonly username: string;
  /** Env var with the user's password (from the user's Kubernetes Secret). */
  readonly passwordEnv: string;
  /** Experiments (by name, created when absent) and the permission on each. */
  readonly experiments: { readonly name: string; readonly permission: string }[];
  /** Registered models (by name) and the permission on each. */
  readonly registeredModels: { readonly name: string; readonly permission: string }[];
}

/**
 * Creates each user with its password, or resets the password of an existing one (rotation), then
 * creates or updates its permissions, through MLflow's own auth client as the admin
 * (`/api/2.0/mlflow/users/create`, `users/update-password`, `experiments/permissions/create|update`,
 * `registered-models/permissions/create|update`). Idempotent; exits non-zero on any other error.
 */
export const USER_BOOTSTRAP_SCRIPT = `
import json, os, sys
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.server import get_app_client

uri = os.environ["MLFLOW_TRACKING_URI"]
cfg = json.load(open(os.environ["BOOTSTRAP_CONFIG"]))
auth = get_app_client("basic-auth", tracking_uri=uri)
tracking = MlflowClient(tracking_uri=uri)

def code(e):
    return getattr(e, "error_code", "")

def upsert(create, update, *args):
    try:
        create(*args)
    except MlflowException as e:
        if code(e) != "RESOURCE_ALREADY_EXISTS":
            raise
        update(*args)

for u in cfg["users"]:
    name, password = u["username"], os.environ[u["passwordEnv"]]
    try:
        auth.create_user(name, password)
        print("created user " + name)
    except MlflowException as e:
        if code(e) != "RESOURCE_ALREADY_EXISTS":
            raise
        auth.update_user_password(name, password)
        print("user " + name + " exists: password set")
    for x in u["experiments"]:
        exp = tracking.get_experiment_by_name(x["name"])
        if exp is None:
            try:
                exp_id = tracking.create_experiment(x["name"])
            except MlflowException as e:
                if code(e) != "RESOURCE_ALREADY_EXISTS":
                    raise
                exp_id = tracking.get_experiment_by_name(x["name"]).experiment_id
        else:
            exp_id = exp.experiment_id
        upsert(auth.create_experiment_permission, auth.update_experiment_permission, exp_id, name, x["permission"])
        print(name + ": " + x["permission"] + " on experiment " + x["name"])
    for m in u["registeredModels"]:
        upsert(auth.create_registered_model_permission, auth.update_registered_model_permission, m["name"], name, m["permission"])
        print(name + ": " + m["permission"] + " on registered model " + m["name"])
`.trim();

/** What the bootstrap Job renders from. */
export interface BootstrapJobInputs {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly trackingUri: string;
  readonly adminSecretName: string;
  readonly users: { readonly user: BootstrapUser; readonly secretName: string }[];
  readonly podLabels: Record<string, string>;
  readonly configHash: string;
}

/** The bootstrap's ConfigMap, ServiceAccount and Job (named after its config, so a change re-runs it). */
export function renderBootstrapObjects(b: BootstrapJobInputs): KubernetesObject[] {
  const labels = { 'app.kubernetes.io/managed-by': 'cdktf-ai-platform', ...b.podLabels };
  const config: JsonObject = { users: b.users.map((u) => ({ ...u.user, experiments: [...u.user.experiments], registeredModels: [...u.user.registeredModels] })) as unknown as JsonObject[] };
  const env: JsonObject[] = [
    { name: 'MLFLOW_TRACKING_URI', value: b.trackingUri },
    { name: 'MLFLOW_TRACKING_USERNAME', valueFrom: { secretKeyRef: { name: b.adminSecretName, key: 'username' } } },
    { name: 'MLFLOW_TRACKING_PASSWORD', valueFrom: { secretKeyRef: { name: b.adminSecretName, key: 'password' } } },
    { name: 'BOOTSTRAP_CONFIG', value: '/bootstrap/config.json' },
    { name: 'HOME', value: '/tmp' },
    ...b.users.map((u) => ({ name: u.user.passwordEnv, valueFrom: { secretKeyRef: { name: u.secretName, key: 'password' } } })),
  ];
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: b.name, namespace: b.namespace, labels },
      data: { 'bootstrap.py': USER_BOOTSTRAP_SCRIPT, 'config.json': JSON.stringify(config, null, 2) },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: b.name, namespace: b.namespace, labels },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${b.name}-${b.configHash}`, namespace: b.namespace, labels },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: b.name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(1001),
            containers: [
              {
                name: 'bootstrap',
                image: b.image,
                command: ['python', '/bootstrap/bootstrap.py'],
                env,
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
                volumeMounts: [
                  { name: 'config', mountPath: '/bootstrap', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: b.name } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    },
  ];
}
