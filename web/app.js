// The web page of `slayer serve` (docs/web.md): the current violations, refreshed every 10 s, and
// the history (heatmap, lateness, compliance, uptime) of a window, from the JSON API of the same
// server. Plain JavaScript, no build step: Chart.js and chartjs-chart-matrix are loaded before
// this file (index.html). Every URL is relative to the page, which may sit below a path prefix.
'use strict';

(function () {
  const LIVE_REFRESH_MS = 10000;
  const HISTORY_REFRESH_MS = 60000;
  // The compliance chart shows the DAGs with the lowest compliance; the table shows them all.
  const COMPLIANCE_CHART_MAX_BARS = 30;
  const WINDOWS = ['7d', '30d', '90d'];
  const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];  // by_weekday_hour order
  const HOURS = Array.from({length: 24}, (_, h) => String(h).padStart(2, '0'));
  const COLORS = {
    miss: 'rgb(196, 43, 28)',
    missFill: 'rgba(196, 43, 28, 0.55)',
    open: 'rgb(122, 31, 162)',
    openFill: 'rgba(122, 31, 162, 0.6)',
    good: 'rgb(26, 127, 55)',
    warn: 'rgb(191, 135, 0)',
    bad: 'rgb(196, 43, 28)',
    grid: 'rgba(0, 0, 0, 0.08)',
    text: '#1f2328',
  };

  const state = {
    filters: {since: '30d', dag: '', rule: '', tz: 'utc'},
    glob: null,          // the compiled DAG glob, or null for every DAG
    violations: null,    // the last /api/v1/violations document
    status: null,        // the last /api/v1/status document
    lastRefresh: null,   // Date of the last successful live refresh
    knownRules: new Set(),
    charts: {},
    liveTimer: 0,
    historyTimer: 0,
    historySeq: 0,       // answers to an older history request are dropped
  };

  const $ = (id) => document.getElementById(id);

  // ---- formatting ----

  // "2d 3h", "1h 5m", "12m 30s", "45s", "0.4s"; "—" for null.
  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
    const sign = seconds < 0 ? '-' : '';
    let s = Math.abs(seconds);
    if (s < 10 && s !== Math.floor(s)) return sign + s.toFixed(1) + 's';
    s = Math.floor(s);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (d > 0) return `${sign}${d}d ${h}h`;
    if (h > 0) return `${sign}${h}h ${m}m`;
    if (m > 0) return `${sign}${m}m ${sec}s`;
    return `${sign}${sec}s`;
  }

  // A fraction as a percentage rounded down, like `slayer report` (100% only when all met).
  function formatPercent(fraction, decimals) {
    if (fraction === null || fraction === undefined) return '—';
    const scale = Math.pow(10, decimals + 2);
    return (Math.floor(fraction * scale + 1e-9) / Math.pow(10, decimals)).toFixed(decimals) + '%';
  }

  const localFormat = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  });

  // An RFC 3339 time in the chosen zone: "2026-11-23 08:00:00 UTC".
  function formatTime(value) {
    const d = value instanceof Date ? value : new Date(value);
    if (isNaN(d)) return String(value);
    if (state.filters.tz === 'local') return localFormat.format(d);
    return d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
  }

  // An axis tick for a time in ms: the date, and the time of day for short windows.
  function formatTick(ms, withTime) {
    const d = new Date(ms);
    const utc = state.filters.tz !== 'local';
    const pad = (n) => String(n).padStart(2, '0');
    const month = utc ? d.getUTCMonth() : d.getMonth();
    const day = utc ? d.getUTCDate() : d.getDate();
    let text = `${pad(month + 1)}-${pad(day)}`;
    if (withTime) {
      text += ` ${pad(utc ? d.getUTCHours() : d.getHours())}:${pad(utc ? d.getUTCMinutes() : d.getMinutes())}`;
    }
    return text;
  }

  // ---- DOM helpers (text only: names come from Airflow and are never parsed as HTML) ----

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function timeEl(iso) {
    if (!iso) return el('span', {class: 'muted', text: '—'});
    return el('time', {datetime: iso, title: iso, text: formatTime(iso)});
  }

  function badge(kind, text) {
    return el('span', {class: `badge badge-${kind}`, text});
  }

  function emptyRow(tbody, columns, text) {
    tbody.replaceChildren(el('tr', {'data-empty': true},
      el('td', {colspan: columns, class: 'empty-cell', text})));
  }

  function numCell(field, value, text) {
    return el('td', {class: 'num', 'data-field': field,
                     'data-value': value === null || value === undefined ? '' : value},
              text === undefined ? String(value) : text);
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(url, status, message) {
      super(message);
      this.url = url;
      this.status = status;
    }
  }

  async function fetchJson(url) {
    let response;
    try {
      response = await fetch(url, {headers: {Accept: 'application/json'}, cache: 'no-store'});
    } catch (e) {
      throw new ApiError(url, 0, `cannot reach the server (${e.message})`);
    }
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.error ? body.error : (text.trim() || response.statusText);
      throw new ApiError(url, response.status, `HTTP ${response.status}: ${message}`);
    }
    if (body === null) throw new ApiError(url, response.status, 'the reply is not JSON');
    return body;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== '' && value !== null && value !== undefined) q.set(key, value);
    }
    return q.toString();
  }

  // ---- filters ----

  // The shell glob of the API (docs/configuration.md, "glob") as a RegExp matching whole ids:
  // * any run, ? one character, [abc] [a-z] [!x] [^x] classes, \ escapes. Throws on a bad one.
  function compileGlob(glob) {
    const esc = (c) => c.replace(/[\\^$.*+?()[\]{}|\/-]/g, '\\$&');
    let re = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i];
      if (c === '\\') {
        if (i + 1 >= glob.length) throw new Error(`glob '${glob}' ends with an unfinished escape '\\'`);
        re += esc(glob[++i]);
      } else if (c === '*') {
        re += '[\\s\\S]*';
      } else if (c === '?') {
        re += '[\\s\\S]';
      } else if (c === '[') {
        let j = i + 1;
        let cls = '';
        if (glob[j] === '!' || glob[j] === '^') {
          cls += '^';
          j++;
        }
        let first = true;
        let closed = false;
        while (j < glob.length) {
          let m = glob[j];
          if (m === ']' && !first) {
            closed = true;
            break;
          }
          first = false;
          if (m === '\\') {
            if (j + 1 >= glob.length) break;
            m = glob[++j];
          }
          if (j + 2 < glob.length && glob[j + 1] === '-' && glob[j + 2] !== ']') {
            let hi = glob[j + 2];
            let hiIndex = j + 2;
            if (hi === '\\') {
              if (hiIndex + 1 >= glob.length) break;
              hi = glob[++hiIndex];
            }
            if (hi < m) throw new Error(`glob '${glob}': empty range '${m}-${hi}'`);
            cls += esc(m) + '-' + esc(hi);
            j = hiIndex + 1;
            continue;
          }
          cls += esc(m);
          j++;
        }
        if (!closed) throw new Error(`glob '${glob}': unclosed '[' at column ${i + 1}`);
        re += `[${cls}]`;
        i = j;
      } else {
        re += esc(c);
      }
    }
    return new RegExp(`^(?:${re})$`);
  }

  function readFiltersFromHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const since = params.get('since');
    if (WINDOWS.includes(since)) state.filters.since = since;
    state.filters.dag = params.get('dag_id') || '';
    state.filters.rule = params.get('rule') || '';
    state.filters.tz = params.get('tz') === 'local' ? 'local' : 'utc';
  }

  function writeFiltersToHash() {
    const f = state.filters;
    const hash = query({since: f.since === '30d' ? '' : f.since, dag_id: f.dag, rule: f.rule,
                        tz: f.tz === 'utc' ? '' : f.tz});
    history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
  }

  function showFilterError(message) {
    $('filter-error').textContent = message || '';
    if (message) $('filter-dag').setAttribute('aria-invalid', 'true');
    else $('filter-dag').removeAttribute('aria-invalid');
  }

  // Reads the form into state.filters; false (and an error shown) for a bad glob.
  function applyForm() {
    const dag = $('filter-dag').value.trim();
    let glob = null;
    if (dag) {
      try {
        glob = compileGlob(dag);
      } catch (e) {
        showFilterError(e.message);
        return false;
      }
    }
    showFilterError('');
    state.glob = glob;
    state.filters.dag = dag;
    state.filters.since = $('filter-window').value;
    state.filters.rule = $('filter-rule').value;
    state.filters.tz = $('filter-zone').value;
    writeFiltersToHash();
    return true;
  }

  function syncForm() {
    $('filter-window').value = state.filters.since;
    $('filter-dag').value = state.filters.dag;
    $('filter-zone').value = state.filters.tz;
    updateRuleOptions();
  }

  function updateRuleOptions() {
    const select = $('filter-rule');
    const rules = new Set(state.knownRules);
    if (state.filters.rule) rules.add(state.filters.rule);
    const options = [el('option', {value: '', text: 'All rules'})];
    for (const rule of [...rules].sort()) options.push(el('option', {value: rule, text: rule}));
    select.replaceChildren(...options);
    select.value = state.filters.rule;
  }

  function matchesFilters(dagId, rule) {
    if (state.glob && !state.glob.test(dagId)) return false;
    if (state.filters.rule && rule !== state.filters.rule) return false;
    return true;
  }

  // ---- live: status and violations ----

  function renderInstances() {
    const tbody = $('instances').tBodies[0];
    const instances = state.status ? state.status.instances : [];
    if (!instances.length) {
      emptyRow(tbody, 7, 'No Airflow instance is configured.');
      return;
    }
    tbody.replaceChildren(...instances.map((i) => el('tr', {
      'data-row': 'instance', 'data-airflow-instance': i.name, 'data-db-up': String(i.db_up),
    },
      el('th', {scope: 'row', text: i.name}),
      el('td', {text: i.airflow_version || '—'}),
      el('td', {}, i.db_up ? badge('ok', 'up') : badge('bad', 'down')),
      el('td', {}, i.last_poll_success ? timeEl(i.last_poll_success) : el('span', {class: 'muted', text: 'none yet'}),
         i.last_poll_age_seconds !== null ? el('span', {class: 'muted', text: ` (${formatDuration(i.last_poll_age_seconds)} ago)`}) : null),
      numCell('poll_errors_total', i.poll_errors_total),
      numCell('open_violations', i.open_violations),
      el('td', {class: 'error-text', text: i.last_error || ''}))));
  }

  function renderViolations() {
    const tbody = $('violations').tBodies[0];
    const all = state.violations ? state.violations.violations : [];
    const shown = all.filter((v) => matchesFilters(v.dag_id, v.rule))
      .sort((a, b) => b.overdue_seconds - a.overdue_seconds);
    const missed = all.filter((v) => v.state !== 'at_risk').length;
    let summary = `${missed} open ${missed === 1 ? 'miss' : 'misses'}, ${all.length - missed} at risk`;
    if (shown.length !== all.length) summary += `; ${shown.length} match the filters`;
    const down = state.status ? state.status.instances.filter((i) => !i.db_up) : [];
    if (down.length) {
      summary += `. Database down: ${down.map((i) => i.name).join(', ')}; its misses are as of the last successful poll`;
    }
    $('violations-summary').textContent = summary + '.';
    if (!shown.length) {
      emptyRow(tbody, 9, all.length ? 'No violation matches the filters.' : 'No open violations or at-risk items.');
      return;
    }
    tbody.replaceChildren(...shown.map((v) => {
      const atRisk = v.state === 'at_risk';
      return el('tr', {
        'data-row': 'violation',
        'data-airflow-instance': v.airflow_instance, 'data-rule': v.rule, 'data-dag-id': v.dag_id,
        'data-run-id': v.run_id, 'data-task-id': v.task_id, 'data-need-by': v.need_by,
        'data-overdue-seconds': v.overdue_seconds, 'data-state': v.state,
        'data-severity': v.severity || '',
        class: atRisk ? 'row-at-risk' : 'row-missed',
      },
        el('td', {text: v.airflow_instance}),
        el('td', {text: v.rule}),
        el('th', {scope: 'row', text: v.dag_id}),
        el('td', {class: 'mono', text: v.run_id || '—', title: v.run_id ? null : 'the run does not exist (yet)'}),
        el('td', {text: v.task_id || '—', title: v.task_id ? null : 'the whole DAG run'}),
        el('td', {}, timeEl(v.need_by)),
        el('td', {class: 'num', text: atRisk ? `due in ${formatDuration(-v.overdue_seconds)}` : formatDuration(v.overdue_seconds)}),
        el('td', {}, badge(atRisk ? 'warn' : 'bad', atRisk ? 'at risk' : v.state)),
        el('td', {}, badge(`severity-${v.severity || 'unknown'}`, v.severity || '—')));
    }));
  }

  function showBanner(message) {
    const banner = $('error-banner');
    banner.textContent = message;
    banner.hidden = false;
    document.body.classList.add('stale');
  }

  function hideBanner() {
    $('error-banner').hidden = true;
    document.body.classList.remove('stale');
  }

  async function refreshLive() {
    clearTimeout(state.liveTimer);
    $('refresh-state').textContent = 'Refreshing…';
    const [status, violations] = await Promise.allSettled([
      fetchJson('api/v1/status'), fetchJson('api/v1/violations')]);
    if (status.status === 'fulfilled' && violations.status === 'fulfilled') {
      state.status = status.value;
      state.violations = violations.value;
      state.lastRefresh = new Date();
      for (const v of state.violations.violations) state.knownRules.add(v.rule);
      hideBanner();
      renderInstances();
      renderViolations();
      $('version').textContent = state.status.version || '';
      const last = $('last-refresh');
      last.textContent = formatTime(state.lastRefresh);
      last.setAttribute('datetime', state.lastRefresh.toISOString());
      last.dataset.time = state.lastRefresh.toISOString();
      $('refresh-state').textContent = `Refreshes every ${LIVE_REFRESH_MS / 1000} s.`;
    } else {
      const error = (status.status === 'rejected' ? status.reason : violations.reason);
      const since = state.lastRefresh ? `showing the data of ${formatTime(state.lastRefresh)}` : 'no data yet';
      showBanner(`Cannot load the current state: ${error.message}. ${since[0].toUpperCase()}${since.slice(1)}; retrying every ${LIVE_REFRESH_MS / 1000} s.`);
      $('refresh-state').textContent = 'Refresh failed.';
    }
    state.liveTimer = setTimeout(refreshLive, LIVE_REFRESH_MS);
  }

  // ---- history ----

  function chartDefaults() {
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.color = COLORS.text;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.borderColor = COLORS.grid;
  }

  // Replaces the chart `name` (or shows the empty state when `config` is null).
  function setChart(name, config) {
    if (state.charts[name]) {
      state.charts[name].destroy();
      delete state.charts[name];
    }
    if (typeof Chart === 'undefined') config = null;  // reported in the banner at start
    const canvas = $(`${name}-chart`);
    canvas.hidden = !config;
    $(`${name}-empty`).hidden = !!config;
    if (config) state.charts[name] = new Chart(canvas, config);
  }

  function renderHeatmap(report) {
    const counts = WEEKDAYS.map(() => HOURS.map(() => 0));
    for (const g of report.groups) {
      g.by_weekday_hour.forEach((row, d) => row.forEach((n, h) => { counts[d][h] += n; }));
    }
    const total = counts.flat().reduce((a, b) => a + b, 0);
    const max = Math.max(1, ...counts.flat());

    const table = $('heatmap-table');
    table.tHead.replaceChildren(el('tr', {}, el('th', {scope: 'col', text: 'Day'}),
      ...HOURS.map((h) => el('th', {scope: 'col', class: 'num', text: h}))));
    table.tBodies[0].replaceChildren(...WEEKDAYS.map((day, d) => el('tr', {'data-weekday': day},
      el('th', {scope: 'row', text: day}),
      ...counts[d].map((n, h) => el('td', {class: 'num', 'data-hour': h, 'data-value': n, text: n})))));
    table.dataset.total = total;

    if (!total) {
      setChart('heatmap', null);
      return;
    }
    const cells = [];
    WEEKDAYS.forEach((day, d) => HOURS.forEach((hour, h) => cells.push({x: hour, y: day, v: counts[d][h]})));
    $('heatmap-chart').setAttribute('aria-label',
      `Heatmap of ${total} misses by weekday and hour of the need-by; the busiest hour has ${max}.`);
    setChart('heatmap', {
      type: 'matrix',
      data: {
        datasets: [{
          label: 'Misses',
          data: cells,
          backgroundColor(ctx) {
            const v = ctx.raw ? ctx.raw.v : 0;
            return v ? `rgba(196, 43, 28, ${0.15 + 0.85 * v / max})` : 'rgba(0, 0, 0, 0.035)';
          },
          borderColor: 'rgba(255, 255, 255, 1)',
          borderWidth: 1,
          width: ({chart}) => (chart.chartArea || {}).width / 24,
          height: ({chart}) => (chart.chartArea || {}).height / 7,
        }],
      },
      options: {
        plugins: {
          legend: {display: false},
          tooltip: {
            callbacks: {
              title: (items) => {
                const r = items[0].raw;
                return `${r.y} ${r.x}:00–${r.x}:59`;
              },
              label: (item) => `${item.raw.v} ${item.raw.v === 1 ? 'miss' : 'misses'}`,
            },
          },
        },
        scales: {
          x: {type: 'category', labels: HOURS, offset: true, grid: {display: false},
              title: {display: true, text: 'Hour of the need-by'}},
          y: {type: 'category', labels: WEEKDAYS, offset: true, grid: {display: false}},
        },
      },
    });
  }

  function renderLateness(incidents, since, until) {
    const late = [];
    const open = [];
    for (const i of incidents.incidents) {
      if (!matchesFilters(i.dag_id, i.rule)) continue;
      const x = Date.parse(i.need_by);
      if (i.state === 'met_late' && i.lateness_seconds !== null) late.push({x, y: i.lateness_seconds, i});
      else if (i.state === 'missed' && i.overdue_seconds !== null) open.push({x, y: i.overdue_seconds, i});
    }
    let hint = 'Each miss at its need-by: how late it finished, or how overdue it is while still open.';
    if (incidents.truncated) hint += ` Only the newest ${incidents.incidents.length} misses are shown.`;
    $('lateness-hint').textContent = hint;
    const chart = $('lateness-chart');
    chart.dataset.points = late.length + open.length;
    if (!late.length && !open.length) {
      setChart('lateness', null);
      return;
    }
    chart.setAttribute('aria-label',
      `Lateness over time: ${late.length} misses that finished late, ${open.length} still open.`);
    // The x axis spans the misses (padded), within the window: a few recent misses of a 90 day
    // window would otherwise sit in one column at its right edge.
    const xs = late.concat(open).map((p) => p.x);
    const pad = Math.max(60000, (Math.max(...xs) - Math.min(...xs)) * 0.03);
    const xMin = Math.max(since, Math.min(...xs) - pad);
    const xMax = Math.min(until, Math.max(...xs) + pad);
    const withTime = xMax - xMin <= 3 * 86400000;
    // y in the unit that suits the largest value, so that the ticks are round numbers of it.
    const top = Math.max(...late.concat(open).map((p) => p.y));
    const unit = [[86400, 'days'], [3600, 'hours'], [60, 'minutes'], [1, 'seconds']]
      .find(([size]) => top >= 2 * size) || [1, 'seconds'];
    const scaled = (points) => points.map((p) => ({x: p.x, y: p.y / unit[0], seconds: p.y, i: p.i}));
    const label = (item) => {
      const i = item.raw.i;
      const what = i.state === 'met_late' ? 'late' : 'overdue so far';
      return `${i.dag_id}${i.task_id ? '.' + i.task_id : ''} (${i.rule}): ${formatDuration(item.raw.seconds)} ${what}`;
    };
    setChart('lateness', {
      type: 'scatter',
      data: {
        datasets: [
          {label: 'Finished late: lateness', data: scaled(late), backgroundColor: COLORS.missFill,
           borderColor: COLORS.miss, pointRadius: 3, pointHoverRadius: 5},
          {label: 'Still missed: overdue so far', data: scaled(open), backgroundColor: COLORS.openFill,
           borderColor: COLORS.open, pointStyle: 'triangle', pointRadius: 4, pointHoverRadius: 6},
        ],
      },
      options: {
        plugins: {
          legend: {position: 'bottom'},
          tooltip: {callbacks: {title: (items) => formatTime(new Date(items[0].raw.x)), label}},
        },
        scales: {
          x: {type: 'linear', min: xMin, max: xMax,
              title: {display: true, text: `Need-by (${state.filters.tz === 'local' ? 'browser time' : 'UTC'})`},
              ticks: {maxRotation: 0, autoSkipPadding: 16, callback: (v) => formatTick(v, withTime)}},
          y: {type: 'linear', beginAtZero: true, title: {display: true, text: `Lateness (${unit[1]})`}},
        },
      },
    });
  }

  function complianceColor(c) {
    if (c >= 0.99) return COLORS.good;
    if (c >= 0.9) return COLORS.warn;
    return COLORS.bad;
  }

  function renderCompliance(report) {
    // Lowest compliance first; groups with nothing evaluated yet last.
    const groups = [...report.groups].sort((a, b) => {
      const ca = a.compliance === null ? 2 : a.compliance;
      const cb = b.compliance === null ? 2 : b.compliance;
      return ca - cb || a.key.dag_id.localeCompare(b.key.dag_id);
    });
    const tbody = $('compliance').tBodies[0];
    if (!groups.length) {
      emptyRow(tbody, 10, 'No deadlines in this window.');
    } else {
      tbody.replaceChildren(...groups.map((g) => el('tr', {'data-row': 'compliance', 'data-dag-id': g.key.dag_id},
        el('th', {scope: 'row', text: g.key.dag_id}),
        numCell('evaluated', g.evaluated),
        numCell('met', g.met),
        numCell('met_late', g.met_late),
        numCell('missed', g.missed),
        numCell('abandoned', g.abandoned),
        numCell('compliance', g.compliance, formatPercent(g.compliance, 1)),
        numCell('lateness_p50', g.lateness_seconds.p50, formatDuration(g.lateness_seconds.p50)),
        numCell('lateness_p95', g.lateness_seconds.p95, formatDuration(g.lateness_seconds.p95)),
        numCell('lateness_max', g.lateness_seconds.max, formatDuration(g.lateness_seconds.max)))));
    }

    const bars = groups.filter((g) => g.compliance !== null).slice(0, COMPLIANCE_CHART_MAX_BARS);
    let hint = 'Met on time / evaluated; lowest first.';
    if (groups.filter((g) => g.compliance !== null).length > bars.length) {
      hint += ` The chart shows the ${bars.length} lowest; the table has all ${groups.length}.`;
    }
    $('compliance-hint').textContent = hint;
    $('compliance-box').style.height = `${Math.max(120, 48 + bars.length * 26)}px`;
    if (!bars.length) {
      setChart('compliance', null);
      return;
    }
    $('compliance-chart').setAttribute('aria-label',
      `Compliance per DAG, lowest first: ${bars.map((g) => `${g.key.dag_id} ${formatPercent(g.compliance, 1)}`).join(', ')}.`);
    setChart('compliance', {
      type: 'bar',
      data: {
        labels: bars.map((g) => g.key.dag_id),
        datasets: [{
          label: 'Compliance',
          data: bars.map((g) => g.compliance * 100),
          backgroundColor: bars.map((g) => complianceColor(g.compliance)),
          barThickness: 16,
          minBarLength: 3,  // a 0 % bar stays visible and has a tooltip
        }],
      },
      options: {
        indexAxis: 'y',
        plugins: {
          legend: {display: false},
          tooltip: {
            callbacks: {
              label: (item) => {
                const g = bars[item.dataIndex];
                return `${formatPercent(g.compliance, 1)}: ${g.met} of ${g.evaluated} met on time`;
              },
            },
          },
        },
        scales: {
          x: {min: 0, max: 100, title: {display: true, text: 'Compliance'},
              ticks: {callback: (v) => `${v}%`}},
          y: {ticks: {autoSkip: false}},
        },
      },
    });
  }

  function renderUptime(health) {
    const tbody = $('uptime').tBodies[0];
    const rows = [];
    for (const instance of health.instances) {
      for (const w of instance.windows) {
        rows.push(el('tr', {'data-row': 'uptime', 'data-airflow-instance': instance.airflow_instance,
                            'data-window': w.window},
          el('th', {scope: 'row', text: instance.airflow_instance}),
          el('td', {text: w.window}),
          numCell('uptime', w.uptime, formatPercent(w.uptime, 2)),
          numCell('down_seconds', w.down_seconds, formatDuration(w.down_seconds)),
          numCell('unknown_seconds', w.unknown_seconds, formatDuration(w.unknown_seconds)),
          numCell('outages', w.outages),
          numCell('longest_outage_seconds', w.longest_outage_seconds,
                  formatDuration(w.longest_outage_seconds))));
      }
    }
    if (!rows.length) emptyRow(tbody, 7, 'No health history yet: it starts with the first poll.');
    else tbody.replaceChildren(...rows);
  }

  function historyNotice(id, errors) {
    const notice = $(id);
    notice.hidden = !errors.length;
    notice.textContent = errors.join(' ');
  }

  // A history reply, or null after recording why it failed. A 400 names the bad filter.
  function settled(result, errors) {
    if (result.status === 'fulfilled') return result.value;
    const e = result.reason;
    if (e.status === 400) showFilterError(e.message);
    else if (!errors.includes(e.message)) errors.push(e.message);
    return null;
  }

  async function refreshHistory() {
    clearTimeout(state.historyTimer);
    const seq = ++state.historySeq;
    const f = state.filters;
    const filter = {since: f.since, dag_id: f.dag, rule: f.rule};
    const [byDag, byRule, incidents, health] = await Promise.allSettled([
      fetchJson(`api/v1/report?${query({...filter, group_by: 'dag'})}`),
      fetchJson(`api/v1/report?${query({since: f.since, dag_id: f.dag, group_by: 'rule'})}`),
      fetchJson(`api/v1/incidents?${query({...filter, state: 'missed,met_late'})}`),
      fetchJson('api/v1/health'),
    ]);
    if (seq !== state.historySeq) return;  // the filters changed meanwhile
    const errors = [];
    const report = settled(byDag, errors);
    const rules = settled(byRule, errors);
    const misses = settled(incidents, errors);
    const uptime = settled(health, []);
    historyNotice('history-notice', errors.map((m) => `History unavailable: ${m}`));
    historyNotice('uptime-notice', health.status === 'rejected' ? [`Uptime unavailable: ${health.reason.message}`] : []);

    if (rules) for (const g of rules.groups) state.knownRules.add(g.key.rule);
    updateRuleOptions();
    const empty = {groups: [], incidents: [], instances: [], truncated: false};
    const span = report || misses;
    if (span) {
      $('history-window').textContent =
        `from ${formatTime(span.since)} to ${formatTime(span.until)}`;
    }
    renderHeatmap(report || empty);
    renderCompliance(report || empty);
    const since = span ? Date.parse(span.since) : Date.now() - 30 * 86400000;
    const until = span ? Date.parse(span.until) : Date.now();
    renderLateness(misses || empty, since, until);
    renderUptime(uptime || empty);
    document.body.dataset.historyLoaded = String(seq);
    state.historyTimer = setTimeout(refreshHistory, HISTORY_REFRESH_MS);
  }

  // ---- start ----

  function start() {
    readFiltersFromHash();
    if (state.filters.dag) {
      try {
        state.glob = compileGlob(state.filters.dag);
      } catch (e) {
        state.filters.dag = '';
      }
    }
    syncForm();
    if (typeof Chart === 'undefined') {
      showBanner('The chart library did not load; the charts are missing.');
    } else {
      chartDefaults();
    }
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      if (!applyForm()) return;
      renderViolations();
      refreshHistory();
    });
    for (const id of ['filter-window', 'filter-rule', 'filter-zone']) {
      $(id).addEventListener('change', () => {
        if (!applyForm()) return;
        renderInstances();
        renderViolations();
        refreshHistory();
      });
    }
    refreshLive();
    refreshHistory();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
