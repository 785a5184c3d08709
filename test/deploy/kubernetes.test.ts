/**
 * The Kubernetes manifests, offline: `deploy/k8s/check.mjs` renders the base
 * and every overlay with `kubectl kustomize` and validates each object
 * against its JSON schema (Kubernetes and the CloudNativePG, Gateway API,
 * KEDA and Prometheus Operator CRDs) and the house rules; here, in addition,
 * the autoscaling the design asks for, and that the realm Keycloak imports
 * in the cluster is the one in deploy/keycloak/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');
const K8S = path.join(ROOT, 'deploy/k8s');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const render = (overlay: string): K8sObject[] =>
  parseAllDocuments(
    execFileSync('kubectl', ['kustomize', path.join(K8S, overlay)], { encoding: 'utf8' }),
  ).map((document) => document.toJS() as K8sObject);

describe('Kubernetes manifests', () => {
  it('every overlay renders and every object passes its schema and the house rules', () => {
    const output = execFileSync(process.execPath, [path.join(K8S, 'check.mjs')], { encoding: 'utf8' });
    expect(output).toMatch(/^base: \d+ objects, \d+ schema-checked$/m);
    expect(output).toMatch(/^overlays\/minikube: /m);
    expect(output).toMatch(/^overlays\/production: /m);
    expect(output).toContain('all manifests pass');
  });

  it.each(['base', 'overlays/minikube'])(
    '%s: the API scales 2-10 pods on CPU and memory (autoscaling/v2)',
    (overlay) => {
      const objects = render(overlay);
      const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
      expect(hpa?.apiVersion).toBe('autoscaling/v2');
      const spec = hpa?.spec as {
        minReplicas: number;
        maxReplicas: number;
        scaleTargetRef: { kind: string; name: string };
        metrics: { resource: { name: string } }[];
        behavior: { scaleDown: { stabilizationWindowSeconds: number } };
      };
      expect([spec.minReplicas, spec.maxReplicas]).toEqual([2, 10]);
      expect(spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'tasks-api' });
      expect(spec.metrics.map((metric) => metric.resource.name).sort()).toEqual(['cpu', 'memory']);
      expect(spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(0);
      const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tasks-api');
      expect(api?.spec.replicas).toBeGreaterThanOrEqual(2);
    },
  );

  it('the production overlay serves the API through the Gateway API and scales the worker on queue depth', () => {
    const kinds = render('overlays/production').map((o) => `${o.apiVersion} ${o.kind}`);
    expect(kinds).toContain('gateway.networking.k8s.io/v1 Gateway');
    expect(kinds).toContain('gateway.networking.k8s.io/v1 HTTPRoute');
    expect(kinds).toContain('keda.sh/v1alpha1 ScaledObject');
    expect(kinds).toContain('postgresql.cnpg.io/v1 Cluster');
    expect(kinds.filter((kind) => kind === 'postgresql.cnpg.io/v1 Pooler')).toHaveLength(2);
  });

  it("CloudNativePG's exporter runs deploy/exporters/postgres-queries.yml (the base folder's copy is identical)", () => {
    expect(readFileSync(path.join(K8S, 'base/postgres-queries.yaml'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'deploy/exporters/postgres-queries.yml'), 'utf8'),
    );
  });

  it('the Prometheus Operator gets every alert and recording rule of deploy/prometheus/rules as a PrometheusRule', () => {
    const rulesFolder = path.join(ROOT, 'deploy/prometheus/rules');
    const groups = readdirSync(rulesFolder)
      .filter((name) => name.endsWith('.yml'))
      .sort()
      .flatMap((name) => parse(readFileSync(path.join(rulesFolder, name), 'utf8')).groups);
    const rule = render('base').find((o) => o.kind === 'PrometheusRule');
    expect(rule?.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule?.spec.groups, 'run `node deploy/k8s/prometheus-rules.mjs` after changing a rule').toEqual(
      groups,
    );
    expect(groups.flatMap((group: { rules: unknown[] }) => group.rules).length).toBeGreaterThan(20);
  });

  it("Keycloak's realm in the cluster is deploy/keycloak/tasks-realm.json, but for the API's back-channel logout URL", () => {
    // Keycloak posts logout tokens to one URL, from inside the deployment: in Compose the alias
    // `api` of both API containers (one instance suffices, revocations are shared through Redis),
    // in the cluster the tasks-api Service (any ready pod). Byte for byte equal otherwise.
    const compose = 'http://api:8000/auth/backchannel-logout';
    const cluster = 'http://tasks-api/auth/backchannel-logout';
    const inCluster = readFileSync(path.join(K8S, 'base/keycloak-realm.json'), 'utf8');
    const exported = readFileSync(path.join(ROOT, 'deploy/keycloak/tasks-realm.json'), 'utf8');
    expect(exported.split(compose)).toHaveLength(3); // tasks-cli and tasks-web
    expect(inCluster).toBe(exported.replaceAll(compose, cluster));
  });
});
