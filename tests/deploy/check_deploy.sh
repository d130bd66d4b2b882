#!/usr/bin/env bash
# Checks the deployment files and the operator docs against the code:
#   - every YAML file under deploy/kubernetes parses, and the manifests agree with each other,
#     with the Dockerfile and with the binary (ports, probe paths, user, Secret keys, the
#     ConfigMap's config passes `slayer check-config`);
#   - deploy/Dockerfile: the build stage installs the build list of scripts/install-deps.sh, the
#     runtime packages exist, and they cover every library the binary links;
#   - docs/operations.md names every subcommand and flag of `slayer --help`;
#   - docs/metrics.md documents every metric family `slayer serve` exports, the exposition passes
#     `promtool check metrics`, and the PromQL examples parse.
# Usage: tests/deploy/check_deploy.sh PATH/TO/slayer      (CTest: deploy.check)
# Exits 1 after listing every failed check.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/slayer (an executable slayer binary)" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dockerfile=$root/deploy/Dockerfile
kube=$root/deploy/kubernetes
ops=$root/docs/operations.md
metrics_doc=$root/docs/metrics.md

failures=0
fail() {
  echo "check_deploy: FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "check_deploy: ok: $*"; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in python3 readelf ldd dpkg-query apt-cache promtool; do
  if ! command -v "$tool" >/dev/null; then
    fail "$tool is missing (scripts/install-deps.sh test installs what the tests need)"
  fi
done
if ! python3 -c 'import yaml' 2>/dev/null; then
  fail "python3 cannot import yaml: install python3-yaml (scripts/install-deps.sh test)"
fi
if [[ $failures -gt 0 ]]; then
  echo "check_deploy: $failures check(s) failed" >&2
  exit 1
fi

# --- Kubernetes manifests ------------------------------------------------------------------
# Parses every YAML file, cross-checks the manifests, and writes the configs to check with
# `slayer check-config` below: the ConfigMap's and the Dockerfile's built-in one.
if python3 - "$kube" "$dockerfile" "$work" <<'PY'; then
import glob, os, re, sys
import yaml

kube, dockerfile, work = sys.argv[1:4]
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

docs = {}  # (kind, name) -> document
files = sorted(glob.glob(os.path.join(kube, "**", "*.yaml"), recursive=True) +
               glob.glob(os.path.join(kube, "**", "*.yml"), recursive=True))
check(files, f"no YAML files under {kube}")
kustomization = None
for path in files:
    rel = os.path.relpath(path, os.path.dirname(kube))
    try:
        with open(path) as f:
            loaded = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        errors.append(f"{rel}: invalid YAML: {e}")
        continue
    for d in loaded:
        if not isinstance(d, dict) or "apiVersion" not in d or "kind" not in d:
            errors.append(f"{rel}: a document without apiVersion and kind")
            continue
        if d["kind"] == "Kustomization":
            kustomization = (path, d)
            continue
        name = (d.get("metadata") or {}).get("name")
        check(name, f"{rel}: {d['kind']} without metadata.name")
        docs[(d["kind"], name)] = d
    print(f"parsed {rel}: {len(loaded)} document(s)")

def get(kind, name):
    d = docs.get((kind, name))
    check(d is not None, f"no {kind} named {name!r} under deploy/kubernetes")
    return d or {}

if kustomization:
    path, k = kustomization
    for r in k.get("resources", []):
        check(os.path.exists(os.path.join(os.path.dirname(path), r)),
              f"kustomization.yaml lists {r}, which does not exist")
else:
    errors.append("deploy/kubernetes/kustomization.yaml is missing")

# The Dockerfile's user and port.
text = open(dockerfile).read()
m = re.search(r"^USER\s+(\d+)", text, re.M)
docker_uid = int(m.group(1)) if m else None
check(docker_uid, "deploy/Dockerfile: no numeric USER")
m = re.search(r"^EXPOSE\s+(\d+)", text, re.M)
docker_port = int(m.group(1)) if m else None

dep = get("Deployment", "slayer")
pod = dep.get("spec", {}).get("template", {})
pod_labels = pod.get("metadata", {}).get("labels", {})
spec = pod.get("spec", {})
containers = spec.get("containers", [])
check(len(containers) == 1, "Deployment slayer: expected one container")
c = containers[0] if containers else {}
ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
check(ports.get("http") == docker_port,
      f"Deployment slayer: containerPort 'http' {ports.get('http')} is not the Dockerfile's EXPOSE {docker_port}")
probes = {"livenessProbe": "/-/healthy", "readinessProbe": "/-/ready"}
for probe, path in probes.items():
    got = c.get(probe, {}).get("httpGet", {})
    check(got.get("path") == path, f"Deployment slayer: {probe} path is {got.get('path')!r}, not {path}")
    check(got.get("port") in ports or got.get("port") in ports.values(),
          f"Deployment slayer: {probe} port {got.get('port')!r} is not a container port")
sc = c.get("securityContext", {})
check(sc.get("readOnlyRootFilesystem") is True, "Deployment slayer: readOnlyRootFilesystem is not true")
check(sc.get("allowPrivilegeEscalation") is False, "Deployment slayer: allowPrivilegeEscalation is not false")
psc = spec.get("securityContext", {})
check(psc.get("runAsNonRoot") is True, "Deployment slayer: runAsNonRoot is not true")
check(psc.get("runAsUser") == docker_uid,
      f"Deployment slayer: runAsUser {psc.get('runAsUser')} is not the Dockerfile's USER {docker_uid}")
check("resources" in c and "requests" in c["resources"], "Deployment slayer: no resource requests")
mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
check("/etc/slayer" in mounts, "Deployment slayer: nothing mounted at /etc/slayer")
check("/var/lib/slayer" in mounts, "Deployment slayer: nothing mounted at /var/lib/slayer (read-only root)")
volumes = {v["name"]: v for v in spec.get("volumes", [])}
for name in mounts.values():
    check(name in volumes, f"Deployment slayer: volume {name!r} is mounted but not defined")
args = c.get("args", [])
check("--config.file=/etc/slayer/slayer.yml" in args,
      "Deployment slayer: args do not pass --config.file=/etc/slayer/slayer.yml")

# Every ${VAR} of the config must be set from a Secret key that the example Secret defines.
cm = get("ConfigMap", (volumes.get(mounts.get("/etc/slayer"), {}).get("configMap") or {}).get("name"))
config = cm.get("data", {}).get("slayer.yml", "")
try:
    yaml.safe_load(config)
except yaml.YAMLError as e:
    errors.append(f"ConfigMap slayer-config: slayer.yml is not valid YAML: {e}")
env = {e["name"]: e for e in c.get("env", [])}
secret_env = {}
for var in sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", config))):
    e = env.get(var)
    check(e is not None, f"the config uses ${{{var}}} but the Deployment does not set {var}")
    ref = (e or {}).get("valueFrom", {}).get("secretKeyRef")
    if ref:
        s = docs.get(("Secret", ref["name"]))
        check(s is not None, f"{var}: Secret {ref['name']!r} has no example under deploy/kubernetes")
        if s:
            check(ref["key"] in s.get("stringData", {}) or ref["key"] in s.get("data", {}),
                  f"{var}: Secret {ref['name']} has no key {ref['key']}")
            secret_env[var] = "sqlite:////nonexistent/airflow.db"
with open(os.path.join(work, "configmap-slayer.yml"), "w") as f:
    f.write(config)
with open(os.path.join(work, "configmap.env"), "w") as f:
    for var in secret_env:
        f.write(f"{var}={secret_env[var]}\n")

svc = get("Service", "slayer")
sel = svc.get("spec", {}).get("selector", {})
check(sel and all(pod_labels.get(k) == v for k, v in sel.items()),
      "Service slayer: its selector does not match the Deployment's pod labels")
svc_ports = {p.get("name"): p for p in svc.get("spec", {}).get("ports", [])}
for p in svc_ports.values():
    check(p.get("targetPort") in ports or p.get("targetPort") in ports.values(),
          f"Service slayer: targetPort {p.get('targetPort')!r} is not a container port")
sm = get("ServiceMonitor", "slayer")
sm_sel = sm.get("spec", {}).get("selector", {}).get("matchLabels", {})
check(sm_sel and all(svc.get("metadata", {}).get("labels", {}).get(k) == v for k, v in sm_sel.items()),
      "ServiceMonitor slayer: its selector does not match the Service's labels")
for ep in sm.get("spec", {}).get("endpoints", []):
    check(ep.get("port") in svc_ports, f"ServiceMonitor slayer: port {ep.get('port')!r} is not a Service port")
    check(ep.get("path", "/metrics") == "/metrics", "ServiceMonitor slayer: path is not /metrics")

# The Dockerfile's built-in config: the printf lines that write /etc/slayer/slayer.yml.
m = re.search(r"printf '%s\\n' \\\n(.*?)> /etc/slayer/slayer.yml", text, re.S)
check(m, "deploy/Dockerfile: cannot find the printf that writes /etc/slayer/slayer.yml")
if m:
    lines = re.findall(r"^\s*'(.*)' \\$", m.group(1), re.M)
    with open(os.path.join(work, "docker-slayer.yml"), "w") as f:
        f.write("\n".join(lines) + "\n")

for e in errors:
    print("kubernetes: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
  pass "deploy/kubernetes: every YAML file parses and the manifests agree"
else
  fail "deploy/kubernetes: see the messages above"
fi

for cfg in configmap-slayer.yml docker-slayer.yml; do
  [[ -f $work/$cfg ]] || continue
  if out=$(cd "$work" && env AIRFLOW_DB_URL=sqlite:////nonexistent/airflow.db \
             "$bin" check-config --config.file="$cfg" 2>&1); then
    pass "$cfg (from the ${cfg%%-*}) passes slayer check-config"
  else
    fail "$cfg (from the ${cfg%%-*}) fails slayer check-config: $out"
  fi
done

# --- Dockerfile ----------------------------------------------------------------------------
# The packages of `apt-get install` in one stage of the Dockerfile: 0 = build, 1 = runtime.
stage_packages() {
  python3 - "$dockerfile" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
stages = re.split(r"^FROM\s", text, flags=re.M)[1:]
stage = stages[int(sys.argv[2])] if len(stages) > int(sys.argv[2]) else ""
for m in re.finditer(r"apt-get install ([^&;]*)", stage):
    print("\n".join(t for t in m.group(1).split() if not t.startswith("-")))
PY
}
mapfile -t build_stage < <(stage_packages 0)
mapfile -t runtime_stage < <(stage_packages 1)
[[ ${#build_stage[@]} -gt 0 ]] || fail "deploy/Dockerfile: no apt-get install in the build stage"
[[ ${#runtime_stage[@]} -gt 0 ]] || fail "deploy/Dockerfile: no apt-get install in the runtime stage"

# The build stage installs scripts/install-deps.sh's build list, minus the test/bench libraries.
mapfile -t build_list < <(sed -n '/^build_pkgs=(/,/^)/p' "$root/scripts/install-deps.sh" |
  sed -e 's/#.*//' -e 's/build_pkgs=(//' -e 's/)//' | tr -s ' \t' '\n' | sed '/^$/d')
[[ ${#build_list[@]} -gt 0 ]] || fail "cannot read build_pkgs from scripts/install-deps.sh"
missing=()
for p in "${build_list[@]}"; do
  case "$p" in libgtest-dev | libgmock-dev | libbenchmark-dev) continue ;; esac
  printf '%s\n' "${build_stage[@]}" | grep -qxF -- "$p" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  pass "deploy/Dockerfile build stage installs the build list of scripts/install-deps.sh"
else
  fail "deploy/Dockerfile build stage lacks ${missing[*]} (in scripts/install-deps.sh build_pkgs)"
fi

# Every runtime package is known to apt (installed here, or in the package lists).
unknown=()
for p in "${runtime_stage[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] && continue
  apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || unknown+=("$p")
done
if [[ ${#unknown[@]} -eq 0 ]]; then
  pass "deploy/Dockerfile runtime packages exist: ${runtime_stage[*]}"
else
  fail "deploy/Dockerfile runtime packages unknown to apt-cache: ${unknown[*]}"
fi

# Every library the binary needs comes from a runtime package (sanitizer runtimes excepted).
mapfile -t needed < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
uncovered=()
for lib in "${needed[@]}"; do
  case "$lib" in libasan.* | libubsan.* | libtsan.* | liblsan.* | ld-linux*) continue ;; esac
  path=$(ldd "$bin" | awk -v l="$lib" '$1 == l && $2 == "=>" { print $3 }')
  if [[ -z "$path" || ! -e "$path" ]]; then
    fail "the binary needs $lib, which ldd cannot resolve"
    continue
  fi
  pkg=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null || dpkg-query -S "$path" 2>/dev/null)
  pkg=${pkg%%:*}
  pkg=${pkg%%,*}
  if [[ -z "$pkg" ]]; then
    fail "the binary needs $lib ($path), which no Debian package owns"
    continue
  fi
  printf '%s\n' "${runtime_stage[@]}" | grep -qxF -- "$pkg" || uncovered+=("$pkg ($lib)")
done
if [[ ${#uncovered[@]} -eq 0 ]]; then
  pass "deploy/Dockerfile runtime stage covers the ${#needed[@]} libraries the binary links"
else
  fail "the binary links libraries whose packages the Dockerfile runtime stage does not install: ${uncovered[*]}"
fi

# COPY sources exist; EXPOSE is the default listen port.
while read -r src; do
  [[ -e "$root/$src" ]] || fail "deploy/Dockerfile copies $src, which does not exist"
done < <(sed -n 's/^COPY \([^-][^ ]*\) .*/\1/p' "$dockerfile")
help=$("$bin" --help 2>&1)
default_port=$(sed -n 's/.*--web\.listen-address TEXT=[^:]*:\([0-9]*\).*/\1/p' <<<"$help" | head -1)
expose=$(sed -n 's/^EXPOSE \([0-9]*\).*/\1/p' "$dockerfile")
if [[ -n "$default_port" && "$expose" == "$default_port" ]]; then
  pass "deploy/Dockerfile EXPOSE $expose is the default --web.listen-address port"
else
  fail "deploy/Dockerfile EXPOSE '$expose' is not the default --web.listen-address port '$default_port'"
fi

# --- docs/operations.md: every subcommand and flag of --help ---------------------------------
[[ -f "$ops" ]] || fail "docs/operations.md is missing"
mapfile -t subcommands < <(sed -n '/^Subcommands:/,/^$/p' <<<"$help" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[[ ${#subcommands[@]} -gt 0 ]] || fail "no subcommands in '$bin --help'"
flags_of() { sed -n 's/^  \(-[a-zA-Z],\)\{0,1\}\(--[a-z][a-z0-9.-]*\).*/\2/p'; }
flags=()
mapfile -t -O 0 flags < <(flags_of <<<"$help")
for sub in "${subcommands[@]}"; do
  mapfile -t -O "${#flags[@]}" flags < <("$bin" "$sub" --help 2>&1 | flags_of)
done
mapfile -t flags < <(printf '%s\n' "${flags[@]}" | sort -u)
undocumented=()
if [[ -f "$ops" ]]; then
  for sub in "${subcommands[@]}"; do
    grep -qE "slayer $sub([^a-z-]|\$)" "$ops" || undocumented+=("subcommand $sub")
  done
  for flag in "${flags[@]}"; do
    grep -qE -- "${flag//./\\.}([^a-z0-9.-]|\$)" "$ops" || undocumented+=("$flag")
  done
fi
if [[ ${#undocumented[@]} -eq 0 ]]; then
  pass "docs/operations.md names ${#subcommands[@]} subcommands and ${#flags[@]} flags of --help"
else
  fail "docs/operations.md does not mention: ${undocumented[*]}"
fi

# --- docs/metrics.md: the families `slayer serve` exports ------------------------------------
# A database that does not exist: the poll fails, every family is still exported (HELP/TYPE).
# One channel (that no rule notifies): the notification families are exported too.
cat >"$work/serve.yml" <<EOF
airflow:
  - name: check
    database: sqlite:////nonexistent/airflow.db
storage: sqlite://$work/slayer.db
channels:
  check: {type: webhook, url: "http://127.0.0.1:9/hook"}
EOF
(cd "$work" && exec "$bin" serve --config.file=serve.yml --web.listen-address=127.0.0.1:0 \
   >"$work/serve.out" 2>"$work/serve.log") &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*msg=listening address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
exposition=""
if [[ -z "$port" ]]; then
  fail "slayer serve did not start: $(cat "$work/serve.log")"
else
  # Wait for the first (failing) poll, so that slayer_db_up has its sample.
  for _ in $(seq 1 50); do
    exposition=$(python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
      "http://127.0.0.1:$port/metrics" 2>&1) || { exposition=""; sleep 0.1; continue; }
    grep -q '^slayer_db_up{' <<<"$exposition" && break
    sleep 0.1
  done
fi
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=""
if [[ -n "$exposition" ]]; then
  if out=$(promtool check metrics <<<"$exposition" 2>&1); then
    pass "the /metrics exposition passes promtool check metrics"
  else
    fail "promtool check metrics: $out"
  fi
  mapfile -t families < <(sed -n 's/^# TYPE \([a-zA-Z_:][a-zA-Z0-9_:]*\) .*/\1/p' <<<"$exposition")
  # The exported families are the table rows before the "Planned" heading.
  exported_doc=$(sed '/^## Planned/,$d' "$metrics_doc" 2>/dev/null)
  missing=()
  for f in "${families[@]}"; do
    grep -qE "^\| \`$f\`" <<<"$exported_doc" || missing+=("$f")
  done
  extra=()
  while read -r f; do
    printf '%s\n' "${families[@]}" | grep -qxF -- "$f" || extra+=("$f")
  done < <(sed -n 's/^| `\([a-zA-Z_:][a-zA-Z0-9_:]*\)` |.*/\1/p' <<<"$exported_doc")
  if [[ ${#missing[@]} -eq 0 && ${#extra[@]} -eq 0 && ${#families[@]} -gt 0 ]]; then
    pass "docs/metrics.md documents the ${#families[@]} exported metric families, no more"
  else
    [[ ${#missing[@]} -eq 0 ]] || fail "docs/metrics.md does not document exported metrics: ${missing[*]}"
    [[ ${#extra[@]} -eq 0 ]] || fail "docs/metrics.md lists as exported metrics that /metrics lacks: ${extra[*]} (move them under '## Planned')"
  fi
elif [[ -n "$port" ]]; then
  fail "no /metrics exposition with slayer_db_up from http://127.0.0.1:$port/metrics"
fi

# The PromQL examples (```promql blocks, one expression per line) parse.
if [[ -f "$metrics_doc" ]]; then
  python3 - "$metrics_doc" "$work/promql.rules.yml" <<'PY'
import re, sys, yaml
text = open(sys.argv[1]).read()
exprs = [l.strip() for block in re.findall(r"```promql\n(.*?)```", text, re.S)
         for l in block.splitlines() if l.strip() and not l.strip().startswith("#")]
rules = [{"record": f"check:promql_example_{i}", "expr": e} for i, e in enumerate(exprs)]
yaml.safe_dump({"groups": [{"name": "docs", "rules": rules}]}, open(sys.argv[2], "w"))
print(len(exprs))
PY
  if out=$(promtool check rules "$work/promql.rules.yml" 2>&1); then
    pass "the PromQL examples of docs/metrics.md parse"
  else
    fail "a PromQL example of docs/metrics.md does not parse: $out"
  fi
else
  fail "docs/metrics.md is missing"
fi

if [[ $failures -gt 0 ]]; then
  echo "check_deploy: $failures check(s) failed" >&2
  exit 1
fi
echo "check_deploy: all checks passed"
