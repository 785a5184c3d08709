/**
 * Renders every overlay with `kubectl kustomize` (no cluster needed) and
 * checks what comes out, offline:
 * - house rules: every workload runs as non-root under the restricted profile,
 *   with requests, limits and probes; each `<NAME>_FILE` points at a mounted
 *   secret key; Services, routes, monitors and scalers point at what exists;
 * - the JSON schemas of every object: Kubernetes' own and the CloudNativePG,
 *   Gateway API, KEDA and Prometheus Operator CRDs (the kubernetes-models
 *   packages, dev dependencies); an object without a schema is a problem.
 *
 *   npm run k8s:check                    # base and every overlay (CI runs it in npm test)
 *   node deploy/k8s/check.mjs rendered.yaml
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const NAMESPACE = 'tasks';

function modelPath(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group === 'gateway.networking.k8s.io') return `@kubernetes-models/gateway-api/${group}/${version}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/${group}/${version}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  if (group === 'postgresql.cnpg.io') return `@kubernetes-models/cloudnative-pg/${group}/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

async function checkSchemas(docs, problem) {
  let checked = 0;
  for (const o of docs) {
    const modulePath = modelPath(o.apiVersion);
    let Model;
    try {
      Model = (await import(modulePath))[o.kind];
    } catch {
      problem(o, `no schema package for ${o.apiVersion} (${modulePath})`);
      continue;
    }
    if (!Model) {
      problem(o, `no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
      checked += 1;
    } catch (error) {
      problem(o, `schema: ${error.message}`);
    }
  }
  return checked;
}

/** What the app needs from the CNPG objects, beyond their schema. */
function checkCnpg(docs, problem) {
  for (const o of docs.filter((d) => d.apiVersion === 'postgresql.cnpg.io/v1')) {
    if (o.kind === 'Cluster') {
      if (!(o.spec.instances >= 1)) problem(o, 'spec.instances');
      if (!o.spec.storage?.size) problem(o, 'spec.storage.size');
      if (!o.spec.bootstrap?.initdb?.database || !o.spec.bootstrap.initdb.owner) problem(o, 'initdb');
    } else if (o.kind === 'Pooler') {
      if (!['rw', 'ro'].includes(o.spec.type)) problem(o, 'spec.type');
      if (o.spec.pgbouncer?.poolMode !== 'transaction') problem(o, 'pgbouncer.poolMode');
      const cluster = docs.find((d) => d.kind === 'Cluster' && d.metadata.name === o.spec.cluster?.name);
      if (!cluster) problem(o, `cluster ${o.spec.cluster?.name} missing`);
    } else {
      problem(o, `unexpected kind ${o.kind}`);
    }
  }
}

function checkWorkloads(docs, problem) {
  const find = (kind, name) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  // An overlay may drop the placeholder Secrets (they come from outside then).
  const secretsRendered = docs.some((d) => d.kind === 'Secret');
  const secretHas = (name, key) => {
    const secret = find('Secret', name);
    return secret ? key in (secret.stringData ?? secret.data ?? {}) : !secretsRendered;
  };
  for (const w of docs.filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind))) {
    const spec = w.spec.template.spec;
    if (spec.securityContext?.runAsNonRoot !== true) problem(w, 'runAsNonRoot');
    if (spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problem(w, 'seccompProfile');
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    for (const v of volumes.values()) {
      if (v.configMap && !find('ConfigMap', v.configMap.name)) problem(w, `ConfigMap ${v.configMap.name}`);
    }
    for (const c of spec.containers) {
      const at = `${c.name}:`;
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) problem(w, `${at} ${kind}.${resource}`);
        }
      }
      if (w.kind !== 'Job' && (!c.livenessProbe || !c.readinessProbe)) problem(w, `${at} probes`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problem(w, `${at} allowPrivilegeEscalation`);
      if (!c.securityContext?.capabilities?.drop?.includes('ALL')) problem(w, `${at} capabilities.drop ALL`);
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === 'string' && !ports.has(port)) problem(w, `${at} ${probe} port ${port}`);
      }
      for (const { configMapRef } of c.envFrom ?? []) {
        if (configMapRef && !find('ConfigMap', configMapRef.name))
          problem(w, `ConfigMap ${configMapRef.name}`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !secretHas(ref.name, ref.key)) problem(w, `${at} secret ${ref.name} has no ${ref.key}`);
        if (!e.name.endsWith('_FILE')) continue;
        // The app reads <NAME> from the file <NAME>_FILE names: it must be a mounted secret key.
        const mount = (c.volumeMounts ?? []).find((m) => e.value.startsWith(`${m.mountPath}/`));
        const secret = mount && volumes.get(mount.name)?.secret;
        if (!secret) {
          problem(w, `${at} ${e.name} is not under a secret mount`);
          continue;
        }
        const key = e.value.slice(mount.mountPath.length + 1);
        const item = secret.items ? secret.items.find((i) => i.path === key) : { key };
        if (!item) problem(w, `${at} ${e.name}: ${key} is not among the mounted items`);
        else if (!secretHas(secret.secretName, item.key))
          problem(w, `secret ${secret.secretName} has no ${item.key}`);
      }
    }
  }
}

function checkReferences(docs, problem) {
  const find = (kind, name) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  const workloads = docs.filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind));
  for (const s of docs.filter((d) => d.kind === 'Service')) {
    const selector = Object.entries(s.spec.selector ?? {});
    const pods = workloads.filter((w) =>
      selector.every(([k, v]) => w.spec.template.metadata.labels?.[k] === v),
    );
    if (pods.length !== 1) {
      problem(s, `selects ${pods.length} workloads`);
      continue;
    }
    const names = new Set(
      pods[0].spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)),
    );
    for (const p of s.spec.ports) {
      if (typeof p.targetPort === 'string' && !names.has(p.targetPort))
        problem(s, `targetPort ${p.targetPort}`);
    }
  }
  for (const i of docs.filter((d) => d.kind === 'Ingress')) {
    for (const rule of i.spec.rules) {
      for (const p of rule.http.paths) {
        if (!find('Service', p.backend.service.name)) problem(i, `backend ${p.backend.service.name}`);
      }
    }
  }
  for (const r of docs.filter((d) => d.kind === 'HTTPRoute')) {
    for (const parent of r.spec.parentRefs) {
      const gateway = find('Gateway', parent.name);
      const listener =
        !parent.sectionName || gateway?.spec.listeners.some((l) => l.name === parent.sectionName);
      if (!gateway || !listener) problem(r, `parent ${parent.name}/${parent.sectionName}`);
    }
    for (const rule of r.spec.rules) {
      for (const b of rule.backendRefs ?? []) {
        if (!find('Service', b.name)?.spec.ports.some((p) => p.port === b.port)) {
          problem(r, `backend ${b.name}:${b.port}`);
        }
      }
    }
  }
  for (const m of docs.filter((d) => d.kind === 'ServiceMonitor')) {
    const labels = Object.entries(m.spec.selector.matchLabels);
    const service = docs.find(
      (d) => d.kind === 'Service' && labels.every(([k, v]) => d.metadata.labels?.[k] === v),
    );
    for (const e of m.spec.endpoints) {
      if (!service?.spec.ports.some((p) => p.name === e.port)) problem(m, `port ${e.port}`);
    }
  }
  for (const o of docs.filter((d) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(d.kind))) {
    if (!find('Deployment', o.spec.scaleTargetRef.name)) problem(o, `target ${o.spec.scaleTargetRef.name}`);
  }
  for (const o of docs) {
    if (o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE) problem(o, 'namespace');
    if (o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'tasks') problem(o, 'app.kubernetes.io/part-of');
  }
}

async function check(name, text) {
  const problems = [];
  const problem = (o, message) => problems.push(`${o.kind}/${o.metadata?.name}: ${message}`);
  const docs = parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.join('\n')}`);
    return doc.toJS();
  });
  const checked = await checkSchemas(docs, problem);
  checkCnpg(docs, problem);
  checkWorkloads(docs, problem);
  checkReferences(docs, problem);
  console.log(`${name}: ${docs.length} objects, ${checked} schema-checked`);
  for (const p of problems) console.log(`  problem: ${p}`);
  return problems.length;
}

let failures = 0;
if (process.argv[2]) {
  failures += await check(process.argv[2], readFileSync(process.argv[2], 'utf8'));
} else {
  const overlays = readdirSync(path.join(here, 'overlays')).map((o) => path.join('overlays', o));
  for (const dir of ['base', ...overlays]) {
    const rendered = execFileSync('kubectl', ['kustomize', path.join(here, dir)], { encoding: 'utf8' });
    failures += await check(dir, rendered);
  }
}
console.log(failures === 0 ? 'all manifests pass' : `${failures} problem(s)`);
process.exitCode = failures === 0 ? 0 : 1;
