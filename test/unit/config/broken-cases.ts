import { BASE_CONFIG, BASE_POLICY, repo, withPolicy } from "./helpers.js";

/** One broken configuration and the exact lines `stagegate validate` must print for it. */
export interface BrokenCase {
  name: string;
  files: Map<string, string>;
  expected: string[];
}

const env3 = (extra: string) => `version: 1
environments:
  - name: dev
    path: environments/dev
${extra}services: []
`;

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`),
  "version: 1",
].join("\n");

const window = (body: string) => `gates:
  - gate: window
${body}`;

export const brokenCases: BrokenCase[] = [
  { name: "missing stagegate.yaml", files: repo(undefined), expected: ["stagegate.yaml:1:1: missing configuration file; create stagegate.yaml at the repository root (see environments-template/ in Stagegate)"] },
  { name: "stagegate.yml instead of stagegate.yaml", files: repo(undefined, { "stagegate.yml": BASE_CONFIG, "policies/default.yaml": BASE_POLICY }), expected: ["stagegate.yaml:1:1: missing configuration file; found stagegate.yml: rename it to stagegate.yaml"] },
  { name: "empty stagegate.yaml", files: repo(""), expected: ["stagegate.yaml:1:1: file is empty; it must be a map with version, environments and services"] },
  { name: "stagegate.yaml holding only comments", files: repo("# nothing yet\n"), expected: ["stagegate.yaml:1:1: file is empty; it must be a map with version, environments and services"] },
  { name: "stagegate.yaml is a list", files: repo("- name: dev\n  path: environments/dev\n"), expected: ["stagegate.yaml:1:1: expected a map with version, environments and services, got a list"] },
  { name: "YAML syntax error", files: repo("version: 1\nenvironments: [\n  { name: dev, path: environments/dev\n"), expected: [
      "stagegate.yaml:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }",
      "stagegate.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ] },
  { name: "bad indentation", files: repo("version: 1\nenvironments:\n  - name: dev\n   path: environments/dev\n"), expected: ["stagegate.yaml:4:1: invalid YAML: Sequence item without - indicator"] },
  { name: "duplicate keys", files: repo("version: 1\nenvironments:\n  - name: dev\n    path: environments/dev\n    name: qa\n"), expected: ["stagegate.yaml:5:5: invalid YAML: Map keys must be unique (remove or rename one of them)"] },
  { name: "two YAML documents", files: repo(`${BASE_CONFIG}---\nversion: 1\n`), expected: ["stagegate.yaml:11:1: invalid YAML: the file holds more than one document (a --- separator); keep a single document"] },
  { name: "alias bomb (billion laughs)", files: repo(billionLaughs), expected: ["stagegate.yaml:1:1: too many YAML alias expansions (more than 100); write the values out instead of nesting aliases"] },
  { name: "10 MB file", files: repo(`version: 1\n# ${"x".repeat(10 * 1024 * 1024)}\n`), expected: ["stagegate.yaml:1:1: file is larger than 1 MiB (1048576 bytes); configuration files must be small — split it or remove generated content"] },
  { name: "wrong type: version as string", files: repo(BASE_CONFIG.replace("version: 1", 'version: "1"')), expected: ["stagegate.yaml:1:10: version: must be 1 (got \"1\")"] },
  { name: "wrong type: environments as a map", files: repo("version: 1\nenvironments:\n  dev:\n    path: environments/dev\n"), expected: ["stagegate.yaml:3:3: environments: expected a list (got a map)"] },
  { name: "wrong type: empty from", files: repo(BASE_CONFIG.replace("from: [dev]", "from:")), expected: ["stagegate.yaml:7:10: environments[1].from: expected a list (got null)"] },
  { name: "unknown top-level key with typo", files: repo(BASE_CONFIG.replace("environments:", "enviroments:")), expected: [
      "stagegate.yaml:1:1: top level: missing required field \"environments\"",
      "stagegate.yaml:2:1: top level: unknown field \"enviroments\" (did you mean \"environments\"?)",
    ] },
  { name: "unknown key in an environment", files: repo(BASE_CONFIG.replace("    from: [dev]", "    from: [dev]\n    polcy: prod")), expected: ["stagegate.yaml:8:5: environments[1]: unknown field \"polcy\" (did you mean \"policy\"?)"] },
  { name: "missing required field", files: repo(BASE_CONFIG.replace("    path: environments/dev\n", "")), expected: ["stagegate.yaml:3:5: environments[0]: missing required field \"path\""] },
  { name: "invalid environment name", files: repo(BASE_CONFIG.replace("name: staging", "name: Staging_EU")), expected: ["stagegate.yaml:5:11: environments[1].name: must be lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit (got \"Staging_EU\")"] },
  { name: "path traversal in environment path", files: repo(BASE_CONFIG.replace("path: environments/staging", "path: ../x")), expected: ["stagegate.yaml:6:11: environments[1].path: must be a relative path inside the repository (no '..', no leading '/') (got \"../x\")"] },
  { name: "absolute environment path", files: repo(BASE_CONFIG.replace("path: environments/staging", "path: /etc/stagegate")), expected: ["stagegate.yaml:6:11: environments[1].path: must be a relative path inside the repository (no '..', no leading '/') (got \"/etc/stagegate\")"] },
  { name: "unknown upstream", files: repo(BASE_CONFIG.replace("from: [dev]", "from: [dev, stagin]")), expected: ["stagegate.yaml:7:17: environment \"staging\": unknown upstream \"stagin\" in from (known: dev)"] },
  {
    name: "cycle in the DAG",
    files: repo(env3("  - name: a\n    path: environments/a\n    from: [b]\n  - name: b\n    path: environments/b\n    from: [a]\n")),
    expected: ["stagegate.yaml:7:12: environment \"a\": the pipeline has a cycle a → b → a (each arrow reads \"takes from\"); remove one of these upstreams"],
  },
  { name: "environment listing itself in from", files: repo(BASE_CONFIG.replace("from: [dev]", "from: [staging]")), expected: ["stagegate.yaml:7:12: environment \"staging\": the pipeline has a cycle staging → staging (each arrow reads \"takes from\"); remove one of these upstreams"] },
  { name: "duplicate environment names", files: repo(env3("  - name: dev\n    path: environments/dev2\n")), expected: ["stagegate.yaml:5:11: duplicate environment name \"dev\" (first defined on line 3); environment names must be unique"] },
  { name: "duplicate service names", files: repo(`${BASE_CONFIG}  - name: web\n    image: ghcr.io/acme/web-v2\n`), expected: ["stagegate.yaml:11:11: duplicate service name \"web\" (first defined on line 9); service names must be unique"] },
  { name: "duplicate environment paths", files: repo(env3("  - name: qa\n    path: environments/dev/\n")), expected: ["stagegate.yaml:6:11: environment \"qa\": path \"environments/dev/\" is already used by environment \"dev\"; each environment needs its own folder"] },
  { name: "nested environment paths", files: repo(env3("  - name: dev-eu\n    path: environments/dev/eu\n")), expected: ["stagegate.yaml:6:11: environment \"dev-eu\": path \"environments/dev/eu\" is inside the path of environment \"dev\" (\"environments/dev\"); environment folders must not nest"] },
  { name: "environment path containing policies/", files: repo(env3("  - name: all\n    path: .\n")), expected: ["stagegate.yaml:6:11: environment \"all\": path \".\" overlaps policies/ or stagegate.yaml; use a folder of its own such as environments/all"] },
  { name: "unknown policy", files: repo(BASE_CONFIG.replace("    from: [dev]", "    from: [dev]\n    policy: strict")), expected: ["stagegate.yaml:8:13: environment \"staging\": policy \"strict\" not found; create policies/strict.yaml (existing policies: default)"] },
  { name: "default policy missing", files: repo(BASE_CONFIG, { "policies/prod.yaml": BASE_POLICY }), expected: [
      "stagegate.yaml:3:5: default policy \"default\" (used by \"dev\", \"staging\") not found; create policies/default.yaml (Stagegate ships a default.yaml to start from) or set policy: on those environments (existing policies: prod)",
      "policies/prod.yaml:1:1: warning: policy \"prod\" is used by no environment (set policy: prod on an environment, or delete the file)",
    ] },
  { name: "targets naming an unknown environment", files: repo(`${BASE_CONFIG}    targets:\n      prod:\n        - file: environments/prod/web.yaml\n`), expected: ["stagegate.yaml:12:7: service \"web\": targets names unknown environment \"prod\" (known: dev, staging)"] },
  {
    name: "target file outside its environment and missing",
    files: repo(`${BASE_CONFIG}    targets:\n      dev:\n        - file: environments/staging/web.yaml\n        - file: environments/dev/web.yaml\n`),
    expected: [
      "stagegate.yaml:13:17: service \"web\": target file \"environments/staging/web.yaml\" is outside the path of environment \"dev\" (environments/dev); a promotion only edits files of its environment",
      "stagegate.yaml:14:17: service \"web\": target file \"environments/dev/web.yaml\" of environment \"dev\" does not exist",
    ],
  },
  { name: "image with a tag", files: repo(BASE_CONFIG.replace("image: ghcr.io/acme/web", "image: ghcr.io/acme/web:1.0")), expected: ["stagegate.yaml:10:12: services[0].image: must be an image repository without tag or digest (e.g. ghcr.io/acme/checkout) (got \"ghcr.io/acme/web:1.0\")"] },
  { name: "bad source repo and owner", files: repo(`${BASE_CONFIG}    source: acme\n    owners: ["acme/web team"]\n`), expected: [
      "stagegate.yaml:11:13: services[0].source: must be owner/name (got \"acme\")",
      "stagegate.yaml:12:14: services[0].owners[0]: must be a user login or org/team slug (got \"acme/web team\")",
    ] },
  { name: "bad duration", files: withPolicy("gates:\n  - gate: upstream\n  - gate: soak\n    duration: 30 minutes\n"), expected: ["policies/default.yaml:4:15: gates[1].duration: must be a duration such as 30m, 2h, 1d or 1h30m (got \"30 minutes\")"] },
  { name: "approvals count larger than users", files: withPolicy("gates:\n  - gate: approvals\n    count: 3\n    users: [alice, bob]\n"), expected: ["policies/default.yaml:3:12: gate \"approvals\": count 3 is more than the 2 users listed, so it can never pass; add users or teams, or lower count"] },
  { name: "approvals count not a whole number", files: withPolicy("gates:\n  - gate: approvals\n    count: 1.5\n    teams: [acme/sre]\n"), expected: ["policies/default.yaml:3:12: gates[0].count: must be a whole number (got 1.5)"] },
  { name: "user listed as team and team as user", files: withPolicy("gates:\n  - gate: approvals\n    teams: [alice]\n    users: [acme/sre]\n"), expected: [
      "policies/default.yaml:3:13: gates[0].teams: \"alice\" is not a team; write it as org/team-slug, or move it to users",
      "policies/default.yaml:4:13: gates[0].users: \"acme/sre\" is a team, not a user; move it to teams",
    ] },
  { name: "unknown timezone", files: withPolicy(window("    timezone: Europe/Berln\n")), expected: ["policies/default.yaml:3:15: gate \"window\": unknown timezone \"Europe/Berln\"; use an IANA name such as Europe/Berlin, America/New_York or UTC"] },
  { name: "invalid cron schedules", files: withPolicy(window('    allow:\n      - schedule: "0 9 * * 1-8"\n        duration: 8h\n      - schedule: "0 17-9 * * *"\n        duration: 1h\n      - schedule: "every day at 9"\n        duration: 1h\n')), expected: [
      "policies/default.yaml:4:19: gate \"window\": invalid cron schedule \"0 9 * * 1-8\": day of week 8 is out of range 0-7",
      "policies/default.yaml:6:19: gate \"window\": invalid cron schedule \"0 17-9 * * *\": range \"17-9\" in hour field goes backwards (write it as 9-17 or split it into a list)",
      "policies/default.yaml:8:19: gate \"window\": invalid cron schedule \"every day at 9\": cron expression must have 5 fields (minute hour day-of-month month day-of-week), got 4",
    ] },
  { name: "freeze ending before it starts", files: withPolicy(window('    timezone: Europe/Berlin\n    freezes:\n      - from: "2025-12-24T00:00:00"\n        to: "2025-12-20T00:00:00+01:00"\n')), expected: ["policies/default.yaml:6:13: gate \"window\": freeze ends (to: 2025-12-20T00:00:00+01:00) before it starts (from: 2025-12-24T00:00:00); swap them"] },
  { name: "freeze with a bad date", files: withPolicy(window('    freezes:\n      - from: "24.12.2025"\n        to: "2026-01-05T00:00:00"\n')), expected: ["policies/default.yaml:4:15: gates[0].freezes[0].from: must be an ISO 8601 date-time such as 2025-12-24T00:00:00 (in the gate's timezone) or 2025-12-24T00:00:00+01:00 (got \"24.12.2025\")"] },
  { name: "metrics gate without prometheus or analysisTemplate", files: withPolicy("gates:\n  - gate: metrics\n    successCondition: result[0] > 0.99\n"), expected: ["policies/default.yaml:2:5: gate \"metrics\": set prometheus (address and query) or analysisTemplate (path of an Argo Rollouts AnalysisTemplate in this repository)"] },
  { name: "analysisTemplate not in the snapshot", files: withPolicy("gates:\n  - gate: metrics\n    analysisTemplate: policies/analysis/success-rate.yaml\n"), expected: ["policies/default.yaml:3:23: gate \"metrics\": analysisTemplate \"policies/analysis/success-rate.yaml\" does not exist; it must be a file under policies/ or an environment path"] },
  {
    name: "metrics without conditions, in verification",
    files: withPolicy("verification:\n  metrics:\n    prometheus:\n      address: https://prometheus.example\n      query: up\n"),
    expected: ["policies/default.yaml:3:5: verification.metrics: set successCondition (e.g. result[0] >= 0.99) and/or failureCondition, or use an analysisTemplate"],
  },
  {
    name: "expressions that do not parse (metrics, http, verification.health)",
    files: withPolicy("gates:\n  - gate: metrics\n    prometheus:\n      address: http://prometheus:9090\n      query: up\n    successCondition: result[0] >=\n    failureCondition: result[0] < 0.5)\n  - gate: http\n    url: https://example.com/ready\n    successCondition: body.ready = true\nverification:\n  health:\n    url: https://example.com/ready\n    expect: status == 200 &&& body.ok\n"),
    expected: [
      'policies/default.yaml:6:23: gate "metrics": successCondition: unexpected end of expression (column 13)',
      'policies/default.yaml:7:23: gate "metrics": failureCondition: unexpected ")" (column 16)',
      'policies/default.yaml:10:23: gate "http": successCondition: unexpected character "=" (column 12)',
      'policies/default.yaml:14:13: verification.health.expect: unexpected character "&" (column 17)',
    ],
  },
  {
    name: "http gate sending the app's own credentials",
    files: withPolicy("gates:\n  - gate: http\n    url: https://example.com/ok\n    headersFromEnv: { authorization: PRIVATE_KEY }\n"),
    expected: ["policies/default.yaml:4:38: gates[0].headersFromEnv.authorization: must name a variable starting with STAGEGATE_HTTP_ (the only ones a policy may send: never the app's own credentials) (got \"PRIVATE_KEY\")"],
  },
  { name: "bad prometheus address", files: withPolicy("gates:\n  - gate: metrics\n    prometheus:\n      address: prometheus:9090\n      query: up\n    successCondition: result[0] == 1\n"), expected: ["policies/default.yaml:4:16: gates[0].prometheus.address: must be an http(s) URL (got \"prometheus:9090\")"] },
  { name: "overrides naming a gate not in the policy", files: withPolicy("gates:\n  - gate: upstream\n  - gate: window\noverrides:\n  teams: [acme/sre]\n  gates: [window, soak]\n"), expected: ["policies/default.yaml:6:19: overrides.gates: \"soak\" is not a gate of this policy (gates: upstream, window)"] },
  { name: "unknown gate type", files: withPolicy("gates:\n  - gate: soaks\n    duration: 1h\n"), expected: ["policies/default.yaml:2:11: gates[0].gate: unknown gate \"soaks\" (did you mean \"soak\"? known: upstream, soak, source-checks, vulnerabilities, metrics, window, approvals, http, provenance)"] },
  { name: "gate without a type", files: withPolicy("gates:\n  - duration: 1h\n"), expected: ["policies/default.yaml:2:5: gates[0]: missing required field \"gate\" (one of: upstream, soak, source-checks, vulnerabilities, metrics, window, approvals, http, provenance)"] },
  { name: "duplicate gate names", files: withPolicy("gates:\n  - gate: soak\n    duration: 1h\n  - gate: soak\n    duration: 2h\n"), expected: ["policies/default.yaml:4:5: gate \"soak\" appears twice (also gates[0]), so both would report the check stagegate/soak; set a different name: on one of them"] },
  { name: "upstream gate naming an unknown environment", files: withPolicy("gates:\n  - gate: upstream\n    environments: [qa]\n"), expected: ["policies/default.yaml:3:20: gate \"upstream\": unknown environment \"qa\" (known: dev, staging)"] },
  { name: "policy is a list", files: withPolicy("- gate: upstream\n- gate: soak\n  duration: 1h\n"), expected: ["policies/default.yaml:1:1: expected a map with gates, merge, verification, …, got a list"] },
  { name: "empty policy file", files: withPolicy(""), expected: ["policies/default.yaml:1:1: file is empty; it must be a map with gates, merge, verification, …"] },
  { name: "merge given as a string", files: withPolicy("gates: []\nmerge: auto\n"), expected: ["policies/default.yaml:2:8: merge: expected a map (got \"auto\")"] },
  { name: "policy defined twice", files: repo(BASE_CONFIG, { "policies/default.yaml": BASE_POLICY, "policies/default.yml": BASE_POLICY }), expected: ["policies/default.yml:1:1: policy \"default\" is defined twice (policies/default.yaml and policies/default.yml); delete one"] },
  { name: "unused policy (warning only)", files: repo(BASE_CONFIG, { "policies/default.yaml": BASE_POLICY, "policies/legacy.yml": BASE_POLICY }), expected: ["policies/legacy.yml:1:1: warning: policy \"legacy\" is used by no environment (set policy: legacy on an environment, or delete the file)"] },
  {
    name: "errors in several files are all reported, sorted",
    files: repo(BASE_CONFIG.replace("from: [dev]", "from: [qa]"), { "policies/default.yaml": "gates:\n  - gate: soak\n", "policies/b.yaml": "gates: [\n" }),
    expected: [
      "stagegate.yaml:7:12: environment \"staging\": unknown upstream \"qa\" in from (known: dev)",
      "policies/b.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "policies/default.yaml:2:5: gates[0]: missing required field \"duration\"",
    ],
  },
];
