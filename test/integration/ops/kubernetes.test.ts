// Renders the kustomize base and the example overlay with the real kubectl and checks what a cluster would get.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are walked as plain JSON */
function render(path: string): Resource[] {
  const output = execFileSync("kubectl", ["kustomize", join(root, path)], { encoding: "utf8" });
  return parseAllDocuments(output).map((document) => document.toJS() as Resource);
}

function find(resources: Resource[], kind: string, name: string): any {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata.name.startsWith(name));
  if (found === undefined) throw new Error(`${kind}/${name} not rendered`);
  return found;
}

function checkServer(resources: Resource[]): void {
  const deployment = find(resources, "Deployment", "stagegate");
  expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
  expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  const pod = deployment.spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.topologySpreadConstraints.map((constraint: any) => constraint.topologyKey)).toEqual(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);

  const [container] = pod.containers;
  expect(container.securityContext).toEqual({
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  });
  expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
  expect(container.startupProbe.httpGet.path).toBe("/healthz");
  expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(4); // the handler bounds each check at 4 s
  expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
  expect(container.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);

  // read-only root: /tmp is an emptyDir
  const tmp = container.volumeMounts.find((mount: any) => mount.mountPath === "/tmp");
  expect(pod.volumes.find((volume: any) => volume.name === tmp.name).emptyDir).toBeDefined();

  // credentials come from the stagegate-github Secret, never from literal values
  const secretRefs = container.env.filter((env: any) => env.valueFrom?.secretKeyRef).map((env: any) => [env.name, env.valueFrom.secretKeyRef.name, env.valueFrom.secretKeyRef.key]);
  expect(secretRefs).toEqual([
    ["APP_ID", "stagegate-github", "APP_ID"],
    ["WEBHOOK_SECRET", "stagegate-github", "WEBHOOK_SECRET"],
    ["STAGEGATE_INTAKE_SECRET", "stagegate-github", "STAGEGATE_INTAKE_SECRET"],
  ]);
  for (const env of container.env) expect(env.value, env.name).toBeUndefined();
  const keyVolume = pod.volumes.find((volume: any) => volume.secret);
  expect(keyVolume.secret).toMatchObject({ secretName: "stagegate-github", items: [{ key: "PRIVATE_KEY", path: "private-key.pem" }] });
  const config = find(resources, "ConfigMap", "stagegate-config");
  expect(config.data.PRIVATE_KEY_PATH).toBe(`/var/run/secrets/stagegate/private-key.pem`);
  expect(container.envFrom).toEqual([{ configMapRef: { name: config.metadata.name } }]);

  // no Secret objects, and no secret-looking values anywhere
  expect(resources.filter((resource) => resource.kind === "Secret")).toEqual([]);
  const text = JSON.stringify(resources);
  expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|gh[ps]_[A-Za-z0-9]{20}|WEBHOOK_SECRET":"[^"]/);
  for (const key of Object.keys(config.data)) expect(key).not.toMatch(/SECRET|TOKEN|PASSWORD|PRIVATE_KEY$|APP_ID/);

  const pdb = find(resources, "PodDisruptionBudget", "stagegate");
  expect(pdb.spec.minAvailable).toBe(1);
  expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  const service = find(resources, "Service", "stagegate");
  expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);

  // only the webhook path and the signed intake are public, never the ops endpoints
  const ingress = find(resources, "Ingress", "stagegate");
  const paths = ingress.spec.rules.flatMap((rule: any) => rule.http.paths.map((path: any) => [path.path, path.pathType]));
  expect(paths).toEqual([["/api/github/webhooks", "Exact"], ["/stagegate/intake", "Exact"]]);

  const policy = find(resources, "NetworkPolicy", "stagegate");
  expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
  const egressPorts = policy.spec.egress.flatMap((rule: any) => rule.ports.map((port: any) => `${port.protocol}/${port.port}`));
  expect(egressPorts).toEqual(expect.arrayContaining(["UDP/53", "TCP/53", "TCP/443"]));
}

describe("deploy/kubernetes", () => {
  it.skipIf(!hasKubectl)("base renders a hardened, highly available server", () => {
    const resources = render("deploy/kubernetes/base");
    checkServer(resources);
    expect(resources.map((resource) => resource.kind).sort()).toEqual(["ConfigMap", "Deployment", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"]);
  });

  it.skipIf(!hasKubectl)("example overlay pins images by digest, sets the host and adds Redis for shared throttling", () => {
    const resources = render("deploy/kubernetes/overlays/example");
    checkServer(resources);
    for (const resource of resources.filter((r) => r.kind !== "Namespace")) expect(resource.metadata.namespace, `${resource.kind}/${resource.metadata.name}`).toBe("stagegate");
    const namespace = find(resources, "Namespace", "stagegate");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");

    const images = resources.filter((r) => r.kind === "Deployment").flatMap((d: any) => d.spec.template.spec.containers.map((c: any) => c.image as string));
    expect(images).toHaveLength(2);
    for (const image of images) expect(image).toMatch(/^[a-z0-9./-]+@sha256:[0-9a-f]{64}$/);

    const ingress = find(resources, "Ingress", "stagegate");
    expect(ingress.spec.rules[0].host).toBe("stagegate.acme.dev");
    expect(ingress.spec.tls[0].hosts).toEqual(["stagegate.acme.dev"]);

    const config = find(resources, "ConfigMap", "stagegate-config");
    expect(config.data).toMatchObject({ REDIS_URL: "redis://stagegate-redis:6379", STAGEGATE_READYZ_GITHUB: "true", LOG_FORMAT: "json" });
    const redisService = find(resources, "Service", "stagegate-redis");
    expect(redisService.spec.ports[0].port).toBe(6379);

    // Stagegate may reach Redis; Redis accepts only Stagegate
    const policy = find(resources, "NetworkPolicy", "stagegate");
    expect(policy.spec.egress.at(-1)).toEqual({ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "stagegate-redis" } } }], ports: [{ port: 6379, protocol: "TCP" }] });
    const redisPolicy = find(resources, "NetworkPolicy", "stagegate-redis");
    expect(redisPolicy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "stagegate", "app.kubernetes.io/component": "server" });

    const redis = find(resources, "Deployment", "stagegate-redis");
    expect(redis.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(["--save", "", "--appendonly", "no"]));
    expect(redis.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    // Redis pods must not be selected by the server's Service, PDB or spread constraints
    expect(redis.spec.template.metadata.labels["app.kubernetes.io/component"]).toBeUndefined();
  });
});
