// The live factory dashboard: plain ES module, no build step, no third-party code. History comes
// from the REST API (/v1/assets, /v1/assets/{id}/telemetry, /v1/simulation/state, /v1/kpis),
// updates from the WebSocket feed (/v1/live). Every call carries the bearer token, taken from
// the URL's #token= (then removed from the address bar) or typed into the token form.

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Plant-time readings kept per series (older ones are dropped). */
const MAX_POINTS = 6000;
/** The failure threshold of the model's health, percent (the factory's default). */
const FAILURE_THRESHOLD = 51;

const store = {
  token: null,
  role: null,
  subject: null,
  /** machine id -> machine view model */
  machines: new Map(),
  /** sensor id -> { machine, kind } */
  sensors: new Map(),
  kpis: null,
  kpiTime: null,
  events: [],
  /** Latest twin time (epoch ms) and the wall time it was seen, for the clock and its speed. */
  twinTime: null,
  speed: null,
  windowH: 6,
  socket: null,
  retry: 0,
  dirty: true,
  scenarioBusy: false,
};

// ------------------------------------------------------------------ formatting

const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
const fmtDateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const fmtTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fmtDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const num = (v, digits = 1) =>
  Number.isFinite(v)
    ? v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const pct = (v, digits = 1) => (Number.isFinite(v) ? `${num(100 * v, digits)} %` : '–');

/** The KPIs shown, with labels, units and how to format them. */
const KPI_VIEW = [
  {
    key: 'availability',
    label: 'Availability',
    fmt: (v) => pct(v),
    better: 'up',
    hint: 'uptime / planned time',
  },
  { key: 'oee', label: 'OEE', fmt: (v) => pct(v), better: 'up', hint: 'availability × performance' },
  {
    key: 'throughput',
    label: 'Throughput',
    fmt: (v) => `${num(v, 2)} parts/h`,
    better: 'up',
    hint: 'parts leaving the line',
  },
  {
    key: 'downtimeHours',
    label: 'Downtime',
    fmt: (v) => `${num(v, 2)} h`,
    better: 'down',
    hint: 'per machine',
  },
  { key: 'failures', label: 'Failures', fmt: (v) => num(v, 0), better: 'down', hint: 'all machines' },
  {
    key: 'technicianUtilization',
    label: 'Technicians busy',
    fmt: (v) => pct(v),
    better: null,
    hint: 'share of crew time',
  },
  {
    key: 'totalCost',
    label: 'Cost',
    fmt: (v) => num(v, 0),
    better: 'down',
    hint: 'labour + downtime (cost units)',
  },
];

/** What the scenario table shows (the twin's scenario outputs are the model's KPIs). */
const SCENARIO_VIEW = [
  {
    key: 'availability',
    label: 'Availability',
    fmt: (v) => pct(v, 2),
    dfmt: (v) => `${signed(100 * v, 2)} pts`,
    better: 'up',
  },
  {
    key: 'downtimeHours',
    label: 'Downtime per machine',
    fmt: (v) => `${num(v, 2)} h`,
    dfmt: (v) => `${signed(v, 2)} h`,
    better: 'down',
  },
  {
    key: 'throughput',
    label: 'Throughput',
    fmt: (v) => `${num(v, 3)} /h`,
    dfmt: (v) => `${signed(v, 3)} /h`,
    better: 'up',
  },
  { key: 'failures', label: 'Failures', fmt: (v) => num(v, 2), dfmt: (v) => signed(v, 2), better: 'down' },
  {
    key: 'technicianUtilization',
    label: 'Technicians busy',
    fmt: (v) => pct(v, 1),
    dfmt: (v) => `${signed(100 * v, 1)} pts`,
    better: null,
  },
  {
    key: 'laborCost',
    label: 'Labour cost',
    fmt: (v) => num(v, 0),
    dfmt: (v) => signed(v, 0),
    better: 'down',
  },
  {
    key: 'downtimeCost',
    label: 'Downtime cost',
    fmt: (v) => num(v, 0),
    dfmt: (v) => signed(v, 0),
    better: 'down',
  },
  { key: 'totalCost', label: 'Total cost', fmt: (v) => num(v, 0), dfmt: (v) => signed(v, 0), better: 'down' },
];

function signed(v, digits) {
  if (!Number.isFinite(v)) return '–';
  const s = num(Math.abs(v), digits);
  // A difference that rounds to zero at the shown digits has no sign.
  if (Math.abs(v) < 0.5 * 10 ** -digits) return num(0, digits);
  return v > 0 ? `+${s}` : `−${s}`;
}

const EVENT_LABELS = {
  machine_failure: 'Machine stopped (PLC reports a failure)',
  model_drift: 'Model drift detected',
  sensor_stale: 'Sensor silent',
  sensor_resumed: 'Sensor reporting again',
  source_disconnected: 'Data source disconnected',
  source_reconnected: 'Data source reconnected',
  source_error: 'Data source error',
  source_recovered: 'Data source recovered',
  source_failed: 'Data source failed',
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// ------------------------------------------------------------------ token and API

function takeToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromUrl = hash.get('token');
  if (fromUrl) {
    sessionStorage.setItem('twinkit-token', fromUrl);
    // The token leaves the address bar (and the history), so it is not copied along with the URL.
    hash.delete('token');
    const rest = hash.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return fromUrl;
  }
  return sessionStorage.getItem('twinkit-token');
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = { accept: 'application/json', authorization: `Bearer ${store.token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const message = body?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401) askToken(`The service refused the token: ${message}`);
    throw new ApiError(res.status, message);
  }
  return body;
}

function askToken(message) {
  $('token-panel').hidden = false;
  $('token-message').textContent = message ?? '';
  setConn('idle', 'no token');
}

function setConn(kind, text) {
  const pill = $('conn');
  pill.className = `pill pill-${kind}`;
  pill.textContent = text;
}

// ------------------------------------------------------------------ model of the page

function kindOfSensor(sensor) {
  const topic = sensor.source ?? '';
  if (/\/telemetry\/vibration$/.test(topic) || /^VIB-/.test(sensor.id)) return 'vibration';
  if (/\/telemetry\/temperature$/.test(topic) || /^TEMP-/.test(sensor.id)) return 'temperature';
  if (/\/status\/state$/.test(topic) || /^PLC-/.test(sensor.id)) return 'state';
  return null;
}

function addMachine(asset) {
  const m = {
    id: asset.id,
    name: asset.name ?? asset.id,
    protocols: [...new Set(asset.sensors.map((s) => s.protocol).filter(Boolean))],
    units: {},
    series: { vibration: [], temperature: [], state: [] },
    health: [],
    stale: false,
    lastUpdate: null,
    view: null,
  };
  for (const s of asset.sensors) {
    const kind = kindOfSensor(s);
    if (kind === null) continue;
    store.sensors.set(s.id, { machine: m, kind });
    m.units[kind] = s.unit;
  }
  store.machines.set(m.id, m);
  return m;
}

function pushPoint(list, point) {
  // Readings of one sensor come in time order; a late one is put in its place.
  if (list.length > 0 && list[list.length - 1].t > point.t) {
    let i = list.length - 1;
    while (i > 0 && list[i - 1].t > point.t) i--;
    if (list[i]?.t === point.t) return;
    list.splice(i, 0, point);
  } else if (list.length > 0 && list[list.length - 1].t === point.t) {
    return;
  } else list.push(point);
  if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
}

function addReading(r) {
  const where = store.sensors.get(r.sensor_id);
  if (where === undefined) return;
  const t = Date.parse(r.timestamp);
  if (!Number.isFinite(t)) return;
  const list = where.machine.series[where.kind];
  // A polled register (machine 1's PLC over Modbus) repeats its last sample until the next one:
  // a repeat is not a new reading, so it is not drawn again. The PLC state is kept whole.
  const last = list.at(-1);
  if (where.kind !== 'state' && last !== undefined && last.v === r.value && last.t < t) return;
  pushPoint(list, { t, v: r.value, q: r.quality });
  store.dirty = true;
}

function applyState(state) {
  const t = Date.parse(state.timestamp);
  if (Number.isFinite(t)) {
    const wall = performance.now();
    const last = store.twinTime;
    if (last !== null && wall - last.wall > 2000) {
      const speed = (t - last.t) / (wall - last.wall);
      if (speed > 0) store.speed = store.speed === null ? speed : 0.7 * store.speed + 0.3 * speed;
      store.twinTime = { t, wall };
    } else if (last === null) store.twinTime = { t, wall };
    store.twinNow = t;
  }
  for (const [id, a] of Object.entries(state.assets ?? {})) {
    const m = store.machines.get(id);
    if (m === undefined) continue;
    m.stale = a.stale === true;
    m.lastUpdate = a.lastUpdate;
    const h = a.variables?.health;
    if (h && Number.isFinite(h.mean) && Number.isFinite(t))
      pushPoint(m.health, { t, mean: h.mean, sd: h.sd });
  }
  store.dirty = true;
}

function applyKpis(time, kpis) {
  store.kpis = kpis;
  store.kpiTime = time;
  renderKpis();
}

function addEvent(e) {
  store.events.unshift(e);
  if (store.events.length > 200) store.events.length = 200;
  renderEvents();
}

// ------------------------------------------------------------------ charts

function niceStep(span, target) {
  const raw = span / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function ticks(lo, hi, target = 4) {
  const step = niceStep(hi - lo, target);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

const TIME_STEPS = [10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);

function timeTicks(x0, x1, target = 6) {
  const span = x1 - x0;
  const step = TIME_STEPS.find((s) => span / s <= target) ?? TIME_STEPS[TIME_STEPS.length - 1];
  // Ticks on the local clock's round times.
  const offset = new Date(x0).getTimezoneOffset() * 60_000;
  const first = Math.ceil((x0 - offset) / step) * step + offset;
  const out = [];
  for (let t = first; t <= x1; t += step) out.push(t);
  return out;
}

function timeLabel(t, withDay) {
  const d = new Date(t);
  if (withDay || (d.getHours() === 0 && d.getMinutes() === 0))
    return `${fmtDay.format(d)} ${fmtTime.format(d)}`;
  return fmtTime.format(d);
}

const W = 560;
const M = { l: 46, r: 46, t: 10, b: 26 };

function frame(height) {
  const root = svg('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img' });
  return root;
}

function xAxis(root, x, x0, x1, height) {
  const y = height - M.b;
  root.append(svg('line', { x1: M.l, x2: W - M.r, y1: y, y2: y, class: 'axis' }));
  const list = timeTicks(x0, x1);
  list.forEach((t, i) => {
    const px = x(t);
    root.append(svg('line', { x1: px, x2: px, y1: M.t, y2: y, class: 'grid' }));
    root.append(
      svg(
        'text',
        { x: px, y: y + 16, class: 'tick', 'text-anchor': 'middle' },
        timeLabel(t, i === 0 && x1 - x0 > 86_400_000),
      ),
    );
  });
}

function yAxis(root, y, lo, hi, side, label, cls, height) {
  const px = side === 'left' ? M.l : W - M.r;
  root.append(svg('line', { x1: px, x2: px, y1: M.t, y2: height - M.b, class: 'axis' }));
  for (const v of ticks(lo, hi)) {
    const py = y(v);
    if (side === 'left') root.append(svg('line', { x1: M.l, x2: W - M.r, y1: py, y2: py, class: 'grid' }));
    root.append(
      svg(
        'text',
        {
          x: side === 'left' ? px - 6 : px + 6,
          y: py + 4,
          class: `tick ${cls ?? ''}`,
          'text-anchor': side === 'left' ? 'end' : 'start',
        },
        Number.isInteger(v) ? String(v) : v.toFixed(1),
      ),
    );
  }
  const mid = (M.t + height - M.b) / 2;
  const lx = side === 'left' ? 12 : W - 10;
  root.append(
    svg(
      'text',
      {
        x: lx,
        y: mid,
        class: `axis-label ${cls ?? ''}`,
        transform: `rotate(-90 ${lx} ${mid})`,
        'text-anchor': 'middle',
      },
      label,
    ),
  );
}

/** Periods the PLC reported the machine stopped, as [from, to] in plant time. */
function stoppedSpans(m, x0, x1) {
  const spans = [];
  let from = null;
  for (const p of m.series.state) {
    if (p.v === 0 && from === null) from = p.t;
    else if (p.v !== 0 && from !== null) {
      spans.push([from, p.t]);
      from = null;
    }
  }
  if (from !== null) spans.push([from, x1]);
  return spans.filter(([a, b]) => b >= x0 && a <= x1);
}

function shadeStopped(root, m, x, x0, x1, height) {
  for (const [a, b] of stoppedSpans(m, x0, x1)) {
    const left = x(Math.max(a, x0));
    const right = x(Math.min(b, x1));
    root.append(
      svg('rect', {
        x: left,
        y: M.t,
        width: Math.max(1, right - left),
        height: height - M.t - M.b,
        class: 'stopped',
      }),
    );
  }
}

function healthChart(m, x0, x1) {
  const height = 170;
  const root = frame(height);
  root.setAttribute('aria-label', `${m.name}: health estimate with its 95% band, percent, over plant time`);
  const points = m.health.filter((p) => p.t >= x0 - 60_000 && p.t <= x1);
  let lo = 40;
  let hi = 100;
  for (const p of points) {
    lo = Math.min(lo, p.mean - 2 * p.sd);
    hi = Math.max(hi, p.mean + 2 * p.sd);
  }
  lo = Math.max(0, Math.floor(lo / 10) * 10);
  hi = Math.min(150, Math.ceil(hi / 10) * 10);
  const x = (t) => M.l + ((t - x0) / (x1 - x0)) * (W - M.l - M.r);
  const y = (v) => height - M.b - ((v - lo) / (hi - lo)) * (height - M.t - M.b);
  shadeStopped(root, m, x, x0, x1, height);
  yAxis(root, y, lo, hi, 'left', 'health (%)', '', height);
  xAxis(root, x, x0, x1, height);
  const ty = y(FAILURE_THRESHOLD);
  root.append(svg('line', { x1: M.l, x2: W - M.r, y1: ty, y2: ty, class: 'threshold' }));
  root.append(
    svg(
      'text',
      { x: W - M.r - 4, y: ty - 4, class: 'threshold-label', 'text-anchor': 'end' },
      `failure threshold ${FAILURE_THRESHOLD} %`,
    ),
  );
  if (points.length > 0) {
    const clip = (t) => Math.min(Math.max(t, x0), x1);
    // Steps: an estimate holds until the twin publishes the next one (a repair is a jump, not a slope).
    const steps = (value) => {
      const out = [];
      points.forEach((p, i) => {
        if (i > 0) out.push(`${x(clip(p.t)).toFixed(1)},${y(value(points[i - 1])).toFixed(1)}`);
        out.push(`${x(clip(p.t)).toFixed(1)},${y(value(p)).toFixed(1)}`);
      });
      return out;
    };
    const upper = steps((p) => p.mean + 2 * p.sd);
    const lower = steps((p) => p.mean - 2 * p.sd).reverse();
    root.append(svg('polygon', { points: [...upper, ...lower].join(' '), class: 'band' }));
    root.append(svg('polyline', { points: steps((p) => p.mean).join(' '), class: 'health-line' }));
    const last = points[points.length - 1];
    root.append(svg('circle', { cx: x(clip(last.t)), cy: y(last.mean), r: 3.5, class: 'health-dot' }));
  } else {
    root.append(
      svg(
        'text',
        { x: (M.l + W - M.r) / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' },
        'waiting for the first estimate…',
      ),
    );
  }
  return root;
}

function readingsChart(m, x0, x1) {
  const height = 150;
  const root = frame(height);
  const vib = m.series.vibration.filter((p) => p.t >= x0 && p.t <= x1);
  const temp = m.series.temperature.filter((p) => p.t >= x0 && p.t <= x1);
  const vu = m.units.vibration ?? 'g';
  const tu = m.units.temperature === 'celsius' ? '°C' : (m.units.temperature ?? '');
  root.setAttribute(
    'aria-label',
    `${m.name}: vibration (${vu}) and temperature (${tu}) readings over plant time`,
  );
  let vhi = 2;
  for (const p of vib) vhi = Math.max(vhi, p.v);
  vhi = Math.ceil(vhi);
  let tlo = 40;
  let thi = 65;
  for (const p of temp) {
    tlo = Math.min(tlo, p.v);
    thi = Math.max(thi, p.v);
  }
  tlo = Math.floor(tlo / 5) * 5;
  thi = Math.ceil(thi / 5) * 5;
  const x = (t) => M.l + ((t - x0) / (x1 - x0)) * (W - M.l - M.r);
  const yv = (v) => height - M.b - (v / vhi) * (height - M.t - M.b);
  const yt = (v) => height - M.b - ((v - tlo) / (thi - tlo)) * (height - M.t - M.b);
  shadeStopped(root, m, x, x0, x1, height);
  yAxis(root, yv, 0, vhi, 'left', `vibration (${vu})`, 'vib', height);
  yAxis(root, yt, tlo, thi, 'right', `temperature (${tu})`, 'temp', height);
  xAxis(root, x, x0, x1, height);
  for (const p of temp)
    root.append(
      svg('rect', {
        x: x(p.t) - 2,
        y: yt(p.v) - 2,
        width: 4,
        height: 4,
        class: p.q === 'good' ? 'temp-dot' : 'temp-dot uncertain',
      }),
    );
  for (const p of vib)
    root.append(
      svg('circle', {
        cx: x(p.t),
        cy: yv(p.v),
        r: 2,
        class: p.q === 'good' ? 'vib-dot' : 'vib-dot uncertain',
      }),
    );
  if (vib.length + temp.length === 0)
    root.append(
      svg(
        'text',
        { x: (M.l + W - M.r) / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' },
        'no readings in this window yet',
      ),
    );
  return root;
}

// ------------------------------------------------------------------ rendering

function machineCard(m) {
  const card = el('article', { class: 'machine', id: `machine-${m.id}`, 'data-machine': m.id });
  const title = el('h3', { text: m.name });
  const badges = el('div', { class: 'badges' });
  const head = el('header', { class: 'machine-head' }, title, badges);
  const health = el('div', { class: 'health' });
  const charts = el('div', { class: 'charts' });
  const foot = el('div', { class: 'machine-foot small muted' });
  card.append(head, health, charts, foot);
  m.view = { card, badges, health, charts, foot };
  return card;
}

function renderMachines() {
  const host = $('machines');
  for (const m of store.machines.values()) if (m.view === null) host.append(machineCard(m));
  const end = Math.max(
    store.twinNow ?? 0,
    ...[...store.machines.values()].flatMap((m) => [
      m.series.vibration.at(-1)?.t ?? 0,
      m.series.temperature.at(-1)?.t ?? 0,
    ]),
  );
  if (!(end > 0)) return;
  // The window, or less while the data do not fill it yet (at least half an hour).
  let first = end;
  for (const m of store.machines.values())
    for (const list of [m.health, m.series.vibration, m.series.temperature])
      if (list.length > 0) first = Math.min(first, list[0].t);
  const x1 = end;
  const x0 = Math.max(x1 - store.windowH * 3_600_000, Math.min(first, x1 - 1_800_000));
  for (const m of store.machines.values()) {
    const v = m.view;
    const lastState = m.series.state.at(-1);
    const running = lastState === undefined ? null : lastState.v !== 0;
    v.badges.replaceChildren(
      el('span', {
        class: `badge ${running === null ? 'badge-idle' : running ? 'badge-ok' : 'badge-bad'}`,
        text: running === null ? 'state unknown' : running ? 'running' : 'stopped',
      }),
      ...(m.stale ? [el('span', { class: 'badge badge-warn', text: 'sensor silent' })] : []),
      el('span', {
        class: 'badge badge-proto',
        text: m.protocols.map((p) => (p === 'modbus' ? 'Modbus TCP' : p.toUpperCase())).join(' + '),
      }),
    );
    const h = m.health.at(-1);
    const lastVib = m.series.vibration.at(-1);
    const lastTemp = m.series.temperature.at(-1);
    const tu = m.units.temperature === 'celsius' ? '°C' : (m.units.temperature ?? '');
    v.health.replaceChildren(
      el(
        'div',
        { class: 'health-main' },
        el('span', { class: 'health-label', text: 'Health' }),
        el('span', {
          class: `health-value ${h && h.mean - 2 * h.sd < FAILURE_THRESHOLD + 10 ? 'low' : ''}`,
          'data-health': h ? h.mean.toFixed(3) : '',
          text: h ? `${num(h.mean, 1)} %` : '–',
        }),
        el('span', { class: 'health-sd', text: h ? `± ${num(2 * h.sd, 1)} (95%)` : '' }),
      ),
      el(
        'div',
        { class: 'last-readings' },
        el('span', {
          text: `vibration ${lastVib ? `${num(lastVib.v, 2)} ${m.units.vibration ?? ''}` : '–'}`,
        }),
        el('span', { text: `temperature ${lastTemp ? `${num(lastTemp.v, 1)} ${tu}` : '–'}` }),
      ),
    );
    v.charts.replaceChildren(healthChart(m, x0, x1), readingsChart(m, x0, x1));
    v.foot.textContent = m.lastUpdate
      ? `last reading assimilated ${fmtDateTime.format(new Date(m.lastUpdate))}`
      : 'no reading assimilated yet';
  }
  if (store.twinNow) {
    $('plant-time').textContent = fmtDateTime.format(new Date(store.twinNow));
    $('plant-speed').textContent = store.speed ? `running at ≈ ${num(store.speed, 0)}× real time` : '';
  }
}

function renderKpis() {
  const host = $('kpis');
  const k = store.kpis;
  host.replaceChildren(
    ...KPI_VIEW.map((view) =>
      el(
        'div',
        { class: 'kpi', 'data-kpi': view.key },
        el('div', { class: 'kpi-label', text: view.label }),
        el('div', { class: 'kpi-value', text: k ? view.fmt(k[view.key]) : '–' }),
        el('div', { class: 'kpi-hint', text: view.hint }),
      ),
    ),
  );
  $('kpi-note').textContent = store.kpiTime
    ? `since the twin started · as of ${fmtDateTime.format(new Date(store.kpiTime))}`
    : 'since the twin started';
}

function eventText(e) {
  const d = e.details ?? {};
  switch (e.event_type) {
    case 'sensor_stale':
      return `${d.sensor_id ?? e.source}: no reading for ${num((d.silentForMs ?? 0) / 1000, 0)} s (limit ${num((d.limitMs ?? 0) / 1000, 0)} s)`;
    case 'sensor_resumed':
      return `${d.sensor_id ?? e.source} after ${num((d.silentForMs ?? 0) / 1000, 0)} s`;
    case 'model_drift':
      return `average NIS ${num(d.averageNis, 2)} outside [${num(d.lower, 2)}, ${num(d.upper, 2)}] over ${d.window ?? '?'} readings`;
    case 'machine_failure':
      return d.reportedBy ? `reported by ${d.reportedBy}` : '';
    default:
      return d.message ?? d.error ?? '';
  }
}

function renderEvents() {
  const list = $('events');
  list.replaceChildren(
    ...store.events.slice(0, 50).map((e) => {
      const machine = store.machines.get(e.source);
      const sensor = store.sensors.get(e.source);
      const where = machine?.name ?? (sensor ? `${sensor.machine.name} · ${e.source}` : e.source);
      return el(
        'li',
        { class: `event sev-${e.severity}`, 'data-type': e.event_type },
        el('span', { class: 'event-time', text: fmtDateTime.format(new Date(e.timestamp)) }),
        el('span', { class: 'event-what', text: EVENT_LABELS[e.event_type] ?? e.event_type }),
        el('span', { class: 'event-where', text: where }),
        el('span', { class: 'event-detail', text: eventText(e) }),
      );
    }),
  );
  $('events-empty').hidden = store.events.length > 0;
  $('events-count').textContent =
    store.events.length > 0 ? `${store.events.length} since this page opened` : '';
}

function scheduleRender() {
  const tick = () => {
    if (store.dirty) {
      store.dirty = false;
      renderMachines();
    }
    setTimeout(() => requestAnimationFrame(tick), 500);
  };
  requestAnimationFrame(tick);
}

// ------------------------------------------------------------------ live feed

function connectLive() {
  const url = new URL('/v1/live', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', store.token);
  setConn('wait', store.retry > 0 ? 'reconnecting…' : 'connecting…');
  const socket = new WebSocket(url);
  store.socket = socket;
  socket.addEventListener('open', () => {
    socket.send(
      JSON.stringify({ type: 'subscribe', channels: ['telemetry', 'state', 'events', 'scenarios', 'kpis'] }),
    );
  });
  socket.addEventListener('message', (message) => {
    let m;
    try {
      m = JSON.parse(message.data);
    } catch {
      return;
    }
    switch (m.type) {
      case 'welcome':
        store.role = m.data.role;
        store.subject = m.data.subject;
        $('who').textContent = `${m.data.subject ?? 'anonymous'} · ${m.data.role}`;
        $('scenario-submit').disabled = m.data.role === 'operator';
        if (m.data.role === 'operator')
          $('scenario-status').textContent =
            'Your token has the operator role: what-ifs need engineer or admin.';
        break;
      case 'subscribed':
        store.retry = 0;
        setConn('ok', 'live');
        break;
      case 'telemetry_update':
        addReading(m.data);
        break;
      case 'state_update':
        applyState(m.data);
        break;
      case 'kpi_update':
        applyKpis(m.data.time, m.data.kpis);
        break;
      case 'event':
        addEvent(m.data);
        break;
      case 'error':
        console.warn('live feed:', m.data?.message);
        break;
      default:
        break;
    }
  });
  socket.addEventListener('close', (event) => {
    if (store.socket !== socket) return;
    if (event.code === 4401) {
      askToken('The token expired: paste a new one.');
      return;
    }
    if (event.code === 1008 || event.code === 1002) {
      askToken('The live feed refused the token.');
      return;
    }
    store.retry += 1;
    setConn('wait', 'reconnecting…');
    setTimeout(connectLive, Math.min(10_000, 500 * 2 ** Math.min(store.retry, 5)));
  });
}

// ------------------------------------------------------------------ scenarios

function intervalBar(d, better, shown) {
  const w = 140;
  const h = 16;
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'ci-bar', role: 'img' });
  const span = Math.max(Math.abs(d.lower), Math.abs(d.upper), 1e-12) * 1.15;
  const x = (v) => w / 2 + (v / span) * (w / 2 - 4);
  // Significant: the interval excludes zero, also at the digits shown (a difference of 0.00 is none).
  const excludesZero =
    (d.lower > 0 || d.upper < 0) && shown(d.lower) !== shown(0) && shown(d.upper) !== shown(0);
  let cls = 'ci-neutral';
  if (excludesZero && better !== null) cls = d.mean > 0 === (better === 'up') ? 'ci-good' : 'ci-bad';
  root.append(svg('line', { x1: w / 2, x2: w / 2, y1: 1, y2: h - 1, class: 'ci-zero' }));
  root.append(svg('line', { x1: x(d.lower), x2: x(d.upper), y1: h / 2, y2: h / 2, class: `ci-line ${cls}` }));
  root.append(svg('circle', { cx: x(d.mean), cy: h / 2, r: 3, class: `ci-dot ${cls}` }));
  root.setAttribute('aria-label', `difference ${d.mean} (95% interval ${d.lower} to ${d.upper})`);
  return { node: root, cls };
}

function renderScenario(job, technicians) {
  const r = job.result;
  const base = r.scenarios.baseline ?? {};
  const alt = r.scenarios.scenario ?? {};
  const diff = r.differences.scenario ?? {};
  const table = el('table', { class: 'scenario-table', 'data-scenario': r.id });
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Over the next ' + num(r.horizonH, 0) + ' h' }),
        el('th', { text: "Twin's own crew" }),
        el('th', { text: `${technicians} technician${technicians === 1 ? '' : 's'}` }),
        el('th', { colspan: 2, text: 'Difference (paired, 95%)' }),
      ),
    ),
  );
  const body = el('tbody');
  const ci = (view, s) =>
    s
      ? el(
          'td',
          {},
          el('div', { class: 'mean', text: view.fmt(s.mean) }),
          el('div', { class: 'ci small muted', text: `[${view.fmt(s.lower)}, ${view.fmt(s.upper)}]` }),
        )
      : el('td', { text: '–' });
  for (const view of SCENARIO_VIEW) {
    const d = diff[view.key];
    if (!base[view.key] && !alt[view.key]) continue;
    let bar = el('td');
    let text = el('td', { text: '–' });
    if (d) {
      const b = intervalBar(d, view.better, view.dfmt);
      bar = el('td', { class: 'bar-cell' }, b.node);
      text = el(
        'td',
        { class: `diff ${b.cls}` },
        el('div', { class: 'mean', text: view.dfmt(d.mean) }),
        el('div', { class: 'ci small', text: `[${view.dfmt(d.lower)}, ${view.dfmt(d.upper)}]` }),
      );
    }
    body.append(
      el(
        'tr',
        { 'data-output': view.key },
        el('th', { scope: 'row', text: view.label }),
        ci(view, base[view.key]),
        ci(view, alt[view.key]),
        text,
        bar,
      ),
    );
  }
  table.append(body);
  const note = el('p', {
    class: 'small muted',
    text: `${r.replications} replications per crew from the twin's state at ${fmtDateTime.format(new Date(r.from))}; stopped by ${r.stoppedBy}; ${num(r.elapsedMs / 1000, 1)} s. Green: the interval excludes zero in the better direction; red: in the worse.`,
  });
  $('scenario-result').replaceChildren(table, note);
}

async function runScenario(event) {
  event.preventDefault();
  if (store.scenarioBusy) return;
  const form = new FormData(event.target);
  const technicians = Number(form.get('technicians'));
  const hours = Number(form.get('hours'));
  const replications = Number(form.get('replications'));
  const status = $('scenario-status');
  store.scenarioBusy = true;
  $('scenario-submit').disabled = true;
  status.className = 'scenario-status busy';
  status.textContent = `Asking the twin: ${technicians} technicians over ${hours} h, ${replications} replications…`;
  try {
    const accepted = await api('/v1/simulation/scenarios', {
      method: 'POST',
      body: { scenario_type: 'crew_size', parameters: { technicians }, duration_hours: hours, replications },
    });
    const started = performance.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const job = await api(accepted.result_url);
      if (job.status === 'completed') {
        status.className = 'scenario-status done';
        status.textContent = `Done: ${job.scenario_id}.`;
        renderScenario(job, technicians);
        break;
      }
      if (job.status === 'failed') throw new ApiError(200, job.error ?? 'the scenario failed');
      status.textContent = `Running ${accepted.scenario_id} (${num((performance.now() - started) / 1000, 0)} s)…`;
    }
  } catch (error) {
    status.className = 'scenario-status failed';
    status.textContent =
      error.status === 403 ? `Not allowed: ${error.message}` : `The what-if failed: ${error.message}`;
  } finally {
    store.scenarioBusy = false;
    $('scenario-submit').disabled = store.role === 'operator';
  }
}

// ------------------------------------------------------------------ start

async function load() {
  $('token-panel').hidden = true;
  setConn('wait', 'loading…');
  const { assets } = await api('/v1/assets');
  for (const a of assets) if (!store.machines.has(a.id)) addMachine(a);
  const [state, kpis, ...telemetry] = await Promise.all([
    api('/v1/simulation/state'),
    api('/v1/kpis'),
    ...assets.map((a) => api(`/v1/assets/${encodeURIComponent(a.id)}/telemetry?limit=5000`)),
  ]);
  for (const t of telemetry) for (const r of t.readings) addReading(r);
  applyState(state);
  applyKpis(kpis.time, kpis.kpis);
  renderMachines();
  connectLive();
}

function start() {
  $('tz').textContent = tz;
  renderKpis();
  renderEvents();
  $('window').addEventListener('change', (e) => {
    store.windowH = Number(e.target.value);
    store.dirty = true;
  });
  $('scenario-form').addEventListener('submit', runScenario);
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    sessionStorage.setItem('twinkit-token', token);
    store.token = token;
    $('token-input').value = '';
    store.socket?.close();
    load().catch((error) => {
      // A 401 has said so already (askToken); anything else is shown as it is.
      if (error.status !== 401) askToken(`Could not load the twin: ${error.message}`);
    });
  });
  scheduleRender();
  store.token = takeToken();
  if (!store.token) {
    askToken('This page needs a token: open the link npm run factory -- --live printed, or paste a token.');
    return;
  }
  load().catch((error) => {
    if (error.status !== 401) {
      setConn('bad', 'error');
      $('token-message').textContent = error.message;
    }
  });
}

start();
