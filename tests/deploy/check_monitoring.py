#!/usr/bin/env python3
"""Checks the Prometheus rules and the Grafana dashboard against the code and promtool.

Called by check_monitoring.sh (CTest: deploy.monitoring), which runs `promtool check rules` and
`promtool test rules` first. This script:
  - reads the metric families the code exports from src/ (every `FamilyBuilder x("name", help,
    MetricType::kType, {labels})`), so that a name, a label or a type that the code does not
    have fails the test;
  - in every PromQL expression of deploy/prometheus/slayer-rules.yml and of
    deploy/grafana/slayer-dashboard.json (panel targets and variable queries): every metric is
    exported by the code (or is a recording rule of the rules file, or Prometheus's `up`), every
    label matched, grouped on or shown in a legend exists, counters and histogram series are
    read through rate()/increase()/irate() (or in the `X unless X offset W` new-series idiom),
    gauges are not, histogram_quantile() groups by `le`, and enumerated label values (outcome,
    state, severity, ...) appear as string literals in src/;
  - the dashboard's expressions parse (`promtool check rules` on a throwaway rules file, after
    replacing the Grafana variables with concrete values), and its structure is sound (schema
    version, datasource variable, the airflow_instance/rule/dag_id variables, the rows, unique
    ids, panels inside the grid and not overlapping);
  - every alert has a severity, a summary and a description, and a `for`; the unit tests
    (slayer-rules.test.yml) make every alert fire (with its annotations) and stay silent at
    least once; docs/monitoring.md has a row for every alert, and no other.
Usage: check_monitoring.py REPO_ROOT WORK_DIR. Prints every failure, exits 1 if there is one.
"""
import glob
import json
import os
import re
import subprocess
import sys

import yaml

root, work = sys.argv[1], sys.argv[2]
RULES = os.path.join(root, "deploy/prometheus/slayer-rules.yml")
RULE_TESTS = os.path.join(root, "deploy/prometheus/slayer-rules.test.yml")
DASHBOARD = os.path.join(root, "deploy/grafana/slayer-dashboard.json")
DOC = os.path.join(root, "docs/monitoring.md")
JOB_CONVENTION = 'job=~".*slayer.*"'

errors = []


def fail(msg):
    errors.append(msg)


def ok(msg):
    print(f"check_monitoring: ok: {msg}")


# --- The metric families of the code ------------------------------------------------------------
def code_families():
    """name -> (type, labels) of every FamilyBuilder in src/."""
    families = {}
    sources = glob.glob(os.path.join(root, "src", "**", "*.cc"), recursive=True)
    for path in sorted(sources):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r'\bFamilyBuilder\s+\w+\s*\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"', text):
            name = m.group(1)
            rel = os.path.relpath(path, root)
            t = re.compile(r"MetricType::k(\w+)\s*,\s*(\{[^}]*\}|[A-Za-z_]\w*)").search(text, m.end())
            if not t:
                fail(f"{rel}: cannot read the type and labels of FamilyBuilder {name!r}")
                continue
            kind, labels = t.group(1).lower(), t.group(2)
            if not labels.startswith("{"):  # a variable: `const std::vector<std::string> x = {..}`
                v = re.search(r"\b" + re.escape(labels) + r"\s*=\s*(\{[^}]*\})", text)
                if not v:
                    fail(f"{rel}: cannot resolve the labels {labels!r} of FamilyBuilder {name!r}")
                    continue
                labels = v.group(1)
            families[name] = (kind, set(re.findall(r'"([a-zA-Z_][a-zA-Z0-9_]*)"', labels)))
    return families


FAMILIES = code_families()
if len(FAMILIES) < 10:
    fail(f"found only {len(FAMILIES)} FamilyBuilder families in src/: the pattern no longer "
         "matches the code")
TARGET_LABELS = {"job", "instance"}
# Series name -> (kind, labels): histograms as their _bucket, _sum and _count series.
SERIES = {}
for name, (kind, labels) in FAMILIES.items():
    if kind == "histogram":
        SERIES[name + "_bucket"] = ("counter", labels | {"le"})
        SERIES[name + "_sum"] = ("counter", set(labels))
        SERIES[name + "_count"] = ("counter", set(labels))
    else:
        SERIES[name] = (kind, set(labels))
SERIES["up"] = ("gauge", set())  # Prometheus's own, per target

SRC_TEXT = "\n".join(open(p, encoding="utf-8", errors="replace").read()
                     for p in glob.glob(os.path.join(root, "src", "**", "*.*"), recursive=True)
                     if p.endswith((".cc", ".h")))
ENUM_LABELS = {"outcome", "state", "severity", "paused", "job_type", "kind"}


def literal_in_src(value):
    return f'"{value}"' in SRC_TEXT or f"'{value}'" in SRC_TEXT


# --- A small PromQL reader ----------------------------------------------------------------------
TOKEN = re.compile(r"""
   (?P<ws>\s+)
 | (?P<comment>\#[^\n]*)
 | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
 | (?P<dur>(?:\d+(?:ms|s|m|h|d|w|y))+)(?![a-zA-Z0-9_])
 | (?P<num>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
 | (?P<id>[a-zA-Z_:][a-zA-Z0-9_:]*)
 | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=,(){}\[\]:@])
""", re.X)
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"} | GROUPING
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
                "count_values", "bottomk", "topk", "quantile"}
RATE_FUNCS = {"rate", "increase", "irate"}
RANGE_GAUGE_FUNCS = {"rate", "increase", "irate", "resets"}


def tokenize(expr):
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read the expression at {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup not in ("ws", "comment"):
            out.append((m.lastgroup, m.group()))
    return out


def unquote(s):
    return s[1:-1]


def analyze(expr):
    """Returns (selectors, grouping labels). A selector: dict name, matchers [(label, op,
    value)], range (bool), func (the function whose argument it is, or None), next (the token
    after it)."""
    toks = tokenize(expr)
    selectors, grouping = [], set()
    stack = []
    pending = None  # an aggregation whose `by (...)` comes before its argument
    i = 0
    while i < len(toks):
        kind, val = toks[i]
        nxt = toks[i + 1][1] if i + 1 < len(toks) else None
        if kind == "id" and val in AGGREGATIONS and nxt in ("by", "without"):
            pending = val
            i += 1
            continue
        if kind == "id" and val in GROUPING and nxt == "(":
            j = i + 2
            while j < len(toks) and toks[j][1] != ")":
                if toks[j][0] == "id":
                    grouping.add(toks[j][1])
                j += 1
            i = j + 1
            continue
        if kind == "id" and nxt == "(":
            stack.append(val)
            i += 2
            continue
        if val == "(":
            stack.append(pending)
            pending = None
        elif val == ")":
            if stack:
                stack.pop()
        elif val == "{":
            raise ValueError("a selector without a metric name")
        elif kind == "id" and val.lower() not in KEYWORDS:
            prev = toks[i - 1][1] if i > 0 else None
            func = stack[-1] if prev == "(" and stack else None
            sel = {"name": val, "matchers": [], "range": False, "func": func}
            j = i + 1
            if j < len(toks) and toks[j][1] == "{":
                j += 1
                while j < len(toks) and toks[j][1] != "}":
                    if toks[j][1] == ",":
                        j += 1
                        continue
                    label, op, value = toks[j][1], toks[j + 1][1], toks[j + 2]
                    if value[0] != "str":
                        raise ValueError(f"matcher {label}{op} without a string")
                    sel["matchers"].append((label, op, unquote(value[1])))
                    j += 3
                j += 1
            if j < len(toks) and toks[j][1] == "[":
                sel["range"] = True
                while j < len(toks) and toks[j][1] != "]":
                    j += 1
                j += 1
            sel["next"] = toks[j][1] if j < len(toks) else None
            sel["next_sel"] = None
            selectors.append(sel)
            i = j
            continue
        i += 1
    for a, b in zip(selectors, selectors[1:]):
        a["next_sel"] = b
    return selectors, grouping


def check_expr(where, expr, extra_series=None, legend=None, selector_only=False):
    """Checks one PromQL expression against the code's metrics. extra_series: name -> labels
    of recording rules that the expression may read. selector_only: a series selector (of a
    label_values() variable), not a query: any metric type will do."""
    extra_series = extra_series or {}
    try:
        selectors, grouping = analyze(expr)
    except (ValueError, IndexError) as e:
        fail(f"{where}: {e}: {expr}")
        return set()
    known_labels = set(TARGET_LABELS)
    names = set()
    for s in selectors:
        name = s["name"]
        names.add(name)
        if name in SERIES:
            kind, labels = SERIES[name]
        elif name in extra_series:
            kind, labels = "recorded", extra_series[name]
        else:
            hint = " (a histogram: use its _bucket, _sum or _count series)" \
                if FAMILIES.get(name, ("",))[0] == "histogram" else ""
            fail(f"{where}: metric {name!r} is not exported by the code (src/){hint}")
            continue
        labels = labels | TARGET_LABELS
        known_labels |= labels
        for label, op, value in s["matchers"]:
            if label not in labels:
                fail(f"{where}: {name} has no label {label!r} (it has {', '.join(sorted(labels))})")
            if label in ENUM_LABELS and "$" not in value and op in ("=", "=~", "!=", "!~"):
                alternatives = value.split("|") if re.fullmatch(r"[\w|]+", value) else []
                if op in ("=", "!=") and not alternatives:
                    alternatives = [value]
                for v in alternatives:
                    if not literal_in_src(v):
                        fail(f"{where}: {name}{{{label}{op}{value!r}}}: no string literal "
                             f"\"{v}\" anywhere in src/")
        if name == "up" and (not s["matchers"] or
                             ("job", "=~", ".*slayer.*") not in s["matchers"]):
            fail(f"{where}: `up` must select SLAyer's job by the convention {JOB_CONVENTION}")
        if selector_only:
            continue
        if kind == "counter":
            idiom = (s["next"] == "offset" or
                     (s["next"] == "unless" and s["next_sel"] and
                      s["next_sel"]["name"] == name and s["next_sel"]["next"] == "offset"))
            if not ((s["range"] and s["func"] in RATE_FUNCS) or idiom):
                fail(f"{where}: counter {name} is read without rate(), increase() or irate()")
        elif kind == "gauge" and s["range"] and s["func"] in RANGE_GAUGE_FUNCS:
            fail(f"{where}: gauge {name} is read with {s['func']}(), which is for counters")
    for label in grouping:
        if label not in known_labels:
            fail(f"{where}: grouping by {label!r}, which none of {', '.join(sorted(names))} has")
    if "histogram_quantile" in expr and "le" not in grouping:
        fail(f"{where}: histogram_quantile() without grouping by le")
    if legend:
        for label in re.findall(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", legend):
            visible = grouping if re.search(r"\b(by|without)\s*\(", expr) else known_labels
            if label not in visible or label not in known_labels:
                fail(f"{where}: the legend shows {{{{{label}}}}}, which the result has not")
    return names


def promtool_parses(name, exprs):
    """exprs: [(where, expr)]. Runs `promtool check rules` on a throwaway rules file."""
    rules = [{"record": f"check:expr_{i}", "expr": e} for i, (_, e) in enumerate(exprs)]
    path = os.path.join(work, f"{name}.rules.yml")
    with open(path, "w") as f:
        yaml.safe_dump({"groups": [{"name": name, "rules": rules}]}, f, sort_keys=False)
    r = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True)
    if r.returncode != 0:
        out = r.stdout + r.stderr
        for m in re.finditer(r"rule (\d+)", out):  # promtool counts from 1
            i = int(m.group(1)) - 1
            if 0 <= i < len(exprs):
                fail(f"{exprs[i][0]}: promtool cannot parse: {exprs[i][1]}")
        fail(f"promtool check rules of the {name} expressions: {out.strip()}")
        return False
    return True


# --- The rules file -----------------------------------------------------------------------------
rules_doc = yaml.safe_load(open(RULES))
recorded = {}  # record name -> labels it may have
alerts = {}  # alert name -> rule
n0 = len(errors)
all_rules = [r for g in rules_doc.get("groups", []) for r in g.get("rules", [])]
for r in all_rules:
    if "record" in r:
        sels, grouping = analyze(r["expr"])
        labels = set()
        for s in sels:
            labels |= SERIES.get(s["name"], ("", set()))[1] | recorded.get(s["name"], set())
        recorded[r["record"]] = (grouping & (labels | TARGET_LABELS)) or labels
for r in all_rules:
    where = f"slayer-rules.yml: {r.get('alert') or r.get('record')}"
    check_expr(where, r["expr"], recorded)
    if "alert" not in r:
        continue
    name = r["alert"]
    if name in alerts:
        fail(f"{where}: two alerts named {name}")
    alerts[name] = r
    if not re.fullmatch(r"(Slayer|Airflow)[A-Z][A-Za-z]+", name):
        fail(f"{where}: alert names are CamelCase and start with Slayer or Airflow")
    if "for" not in r:
        fail(f"{where}: no `for:` (write `for: 0m` when none is needed)")
    severity = (r.get("labels") or {}).get("severity")
    if severity is None:
        if "severity" not in analyze(r["expr"])[1]:
            fail(f"{where}: no severity label, and the expression does not keep one")
    elif severity not in ("critical", "warning", "info"):
        fail(f"{where}: severity {severity!r} is not critical, warning or info")
    for a in ("summary", "description"):
        if not (r.get("annotations") or {}).get(a, "").strip():
            fail(f"{where}: no {a} annotation")
if not alerts:
    fail("slayer-rules.yml has no alerts")
if len(errors) == n0:
        ok(f"slayer-rules.yml: {len(alerts)} alerts and {len(recorded)} recording rules use only "
       "metrics, labels and label values of the code, counters through rate()/increase()")

# The unit tests make every alert fire, with its annotations, and stay silent.
n0 = len(errors)
tests_doc = yaml.safe_load(open(RULE_TESTS))
fired, silent, exprs_tested = set(), set(), set()
for t in tests_doc.get("tests", []):
    for a in t.get("alert_rule_test", []) or []:
        name = a.get("alertname")
        if name not in alerts:
            fail(f"slayer-rules.test.yml: a test of {name!r}, which slayer-rules.yml lacks")
        exp = a.get("exp_alerts") or []
        if exp:
            fired.add(name)
            for e in exp:
                ann = e.get("exp_annotations") or {}
                if not ann.get("summary") or not ann.get("description"):
                    fail(f"slayer-rules.test.yml: {t.get('name')}: {name} at {a.get('eval_time')} "
                         "expects no exact summary and description")
                if "severity" not in (e.get("exp_labels") or {}):
                    fail(f"slayer-rules.test.yml: {t.get('name')}: {name} at {a.get('eval_time')} "
                         "expects no severity label")
        else:
            silent.add(name)
    for p in t.get("promql_expr_test", []) or []:
        exprs_tested.add(p.get("expr", ""))
for name in sorted(alerts):
    if name not in fired:
        fail(f"slayer-rules.test.yml: no test where {name} fires")
    if name not in silent:
        fail(f"slayer-rules.test.yml: no test where {name} stays silent")
used_records = " ".join(r["expr"] for r in alerts.values())
for rec in recorded:
    if rec not in used_records and not any(rec in e for e in exprs_tested):
        fail(f"slayer-rules.test.yml: recording rule {rec} is neither used by an alert nor tested")
if len(errors) == n0:
    ok(f"slayer-rules.test.yml: each of the {len(alerts)} alerts fires and stays silent in a test")

# docs/monitoring.md: a row per alert, no other; the job convention.
if not os.path.exists(DOC):
    fail("docs/monitoring.md is missing")
else:
    doc = open(DOC).read()
    documented = set(re.findall(r"^\| `((?:Slayer|Airflow)[A-Za-z]+)` \|", doc, re.M))
    for name in sorted(set(alerts) - documented):
        fail(f"docs/monitoring.md: no table row for the alert {name}")
    for name in sorted(documented - set(alerts)):
        fail(f"docs/monitoring.md: a table row for {name}, which slayer-rules.yml lacks")
    if JOB_CONVENTION not in doc:
        fail(f"docs/monitoring.md does not state the job convention {JOB_CONVENTION}")
    if not (documented - set(alerts)) and not (set(alerts) - documented):
        ok(f"docs/monitoring.md has a row for each of the {len(alerts)} alerts")

# --- The dashboard ------------------------------------------------------------------------------
try:
    dash = json.load(open(DASHBOARD))
except (OSError, ValueError) as e:
    fail(f"slayer-dashboard.json: {e}")
    dash = None

BUILTINS = {"__interval": "5m", "__rate_interval": "5m", "__range": "1d",
            "__interval_ms": "300000", "__range_s": "86400"}
REQUIRED_ROWS = ["Current violations", "Misses over time", "Lateness", "Compliance",
                 "Airflow health", "Notifications", "SLAyer"]
REQUIRED_SERIES = ["slayer_deadline_overdue_seconds", "slayer_deadline_open",
                   "slayer_deadline_misses_total", "slayer_deadline_lateness_seconds_bucket",
                   "slayer_deadline_outcomes_total", "airflow_up",
                   "airflow_job_heartbeat_age_seconds", "airflow_schedule_delay_seconds_bucket",
                   "airflow_task_instances", "airflow_pool_slots", "airflow_import_errors",
                   "slayer_canary_missed", "slayer_notifications_total", "slayer_outbox_pending",
                   "slayer_poll_duration_seconds", "slayer_db_up"]
if dash is not None:
    n0 = len(errors)
    where = "slayer-dashboard.json"
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        fail(f"{where}: schemaVersion {dash.get('schemaVersion')!r} is not >= 36")
    for key in ("uid", "title"):
        if not dash.get(key):
            fail(f"{where}: no {key}")
    variables = {v.get("name"): v for v in (dash.get("templating") or {}).get("list", [])}
    ds = variables.get("DS_PROMETHEUS")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail(f"{where}: no datasource variable DS_PROMETHEUS of type prometheus")
    values = dict(BUILTINS)
    for name, v in variables.items():
        if v.get("type") == "query":
            values[name] = ".*"
        elif v.get("type") in ("custom", "interval", "constant"):
            values[name] = str((v.get("current") or {}).get("value") or v.get("query", "").split(",")[0])
    exprs = []  # (where, expr with the variables replaced)

    def substitute(w, text):
        def repl(m):
            name = m.group(1) or m.group(2) or m.group(3)
            if name not in values:
                fail(f"{w}: unknown variable ${name}")
                return "1m"
            return values[name]
        return re.sub(r"\$\{([A-Za-z_]\w*)(?::\w+)?\}|\[\[([A-Za-z_]\w*)\]\]|\$([A-Za-z_]\w*)",
                      repl, text)

    for name in ("airflow_instance", "rule", "dag_id"):
        v = variables.get(name)
        if not v or v.get("type") != "query":
            fail(f"{where}: no query variable {name}")
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_]\w*)\s*\)\s*", q or "")
        if not m:
            fail(f"{where}: variable {name}: {q!r} is not label_values(SELECTOR, LABEL)")
            continue
        if m.group(2) != name:
            fail(f"{where}: variable {name} lists the values of {m.group(2)!r}")
        w = f"{where}: variable {name}"
        sel = substitute(w, m.group(1))
        for s in check_expr(w, sel, selector_only=True):
            if name not in SERIES.get(s, ("", set()))[1]:
                fail(f"{w}: {s} has no label {name}")
        exprs.append((w, sel))

    panels, ids = [], set()
    for p in dash.get("panels", []):
        panels.append(p)
        panels.extend(p.get("panels", []))
    rows = [p.get("title") for p in panels if p.get("type") == "row"]
    for title in REQUIRED_ROWS:
        if title not in rows:
            fail(f"{where}: no row {title!r}")
    used = set()
    cells = {}
    for p in panels:
        pw = f"{where}: panel {p.get('id')} {p.get('title')!r}"
        if p.get("id") in ids:
            fail(f"{pw}: the id is not unique")
        ids.add(p.get("id"))
        g = p.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in "xywh") or g["x"] + g["w"] > 24:
            fail(f"{pw}: gridPos {g} is not inside the 24 columns")
        elif p.get("type") != "row" or not p.get("collapsed"):
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        fail(f"{pw}: overlaps panel {cells[(x, y)]}")
                        break
                    cells[(x, y)] = p.get("id")
                else:
                    continue
                break
        if p.get("type") == "row":
            continue
        if (p.get("datasource") or {}).get("uid") != "${DS_PROMETHEUS}":
            fail(f"{pw}: its datasource is not ${{DS_PROMETHEUS}}")
        if not p.get("title") or not p.get("description"):
            fail(f"{pw}: no title or description")
        targets = p.get("targets") or []
        if not targets:
            fail(f"{pw}: no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            fail(f"{pw}: refIds {refs} are not unique")
        for t in targets:
            tw = f"{pw} query {t.get('refId')}"
            if (t.get("datasource") or {}).get("uid") != "${DS_PROMETHEUS}":
                fail(f"{tw}: its datasource is not ${{DS_PROMETHEUS}}")
            if not t.get("expr"):
                fail(f"{tw}: no expr")
                continue
            expr = substitute(tw, t["expr"])
            legend = t.get("legendFormat")
            used |= check_expr(tw, expr, legend=None if legend == "__auto" else legend)
            exprs.append((tw, expr))
    for s in REQUIRED_SERIES:
        if s not in used:
            fail(f"{where}: no panel shows {s}")
    if promtool_parses("dashboard", exprs) and len(errors) == n0:
        ok(f"{where}: the {len(exprs)} expressions parse (promtool check rules) and use only "
           "metrics, labels and label values of the code")

for e in errors:
    print(f"check_monitoring: FAIL: {e}", file=sys.stderr)
sys.exit(1 if errors else 0)
