// The Switchboard tab: draws every endpoint and gateway from switchboard.json, reads it again
// every second, follows status changes as they happen, and sends the buttons' actions.
// Every value from the server goes into the page as text, never as markup.
(() => {
  'use strict';
  const root = document.getElementById('sb');
  // absolute URLs without the user and password a page address may carry (fetch refuses those)
  const label = location.origin + location.pathname.replace(/[^/]*$/, '') + root.dataset.label;
  const token = root.dataset.token;
  let seq = Number(root.dataset.seq);
  const KEPT_SECONDS = 300;
  const cards = { endpoints: new Map(), gateways: new Map() };
  const history = { endpoints: { times: [], rates: new Map() }, gateways: { times: [], rates: new Map() } };
  let lastSample = 0;
  let loading = false;

  const make = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const number = n => Number(n).toLocaleString('en');
  const rate = n => Number(n).toFixed(1);
  const ago = iso => {
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return seconds + ' s ago';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h ago';
    return Math.round(seconds / 86400) + ' days ago';
  };
  const clock = date => date.toLocaleTimeString('en-GB');
  const since = iso => 'since ' + clock(new Date(iso)) + ' (' + ago(iso) + ')';

  // --- history: the rates of the last five minutes, one sample a second -----------------------

  function keep(kind, window) {
    const h = history[kind];
    const before = h.times.length;
    window.times.forEach(t => h.times.push(t));
    for (const [name, r] of Object.entries(window.rates)) {
      if (!h.rates.has(name)) h.rates.set(name, { in: new Array(before).fill(null), out: new Array(before).fill(null) });
    }
    for (const [name, r] of h.rates) {
      const fresh = window.rates[name];
      window.times.forEach((t, i) => {
        r.in.push(fresh ? fresh.in[i] : null);
        r.out.push(fresh ? fresh.out[i] : null);
      });
    }
    const oldest = h.times.length ? h.times[h.times.length - 1] - KEPT_SECONDS * 1000 : 0;
    let drop = 0;
    while (drop < h.times.length && h.times[drop] <= oldest) drop++;
    if (drop) {
      h.times.splice(0, drop);
      for (const r of h.rates.values()) { r.in.splice(0, drop); r.out.splice(0, drop); }
    }
    if (h.times.length) lastSample = Math.max(lastSample, h.times[h.times.length - 1]);
  }

  function chart(holder) {
    const width = Math.max(420, Math.min(640, holder.parentNode.clientWidth / 2 || 420));
    return new uPlot({
      width: width, height: 150,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      series: [{ label: 'time', value: (u, t) => t == null ? '–' : clock(new Date(t * 1000)) },
        { label: 'in/s', stroke: '#2e7d32', width: 1.5 }, { label: 'out/s', stroke: '#1565c0', width: 1.5 }],
      // ticks under a minute apart with their seconds, else hours and minutes
      axes: [{ values: (u, ticks) => ticks.map(t => clock(new Date(t * 1000))
        .slice(0, ticks.length > 1 && ticks[1] - ticks[0] < 60 ? 8 : 5)) }, { size: 50 }]
    }, [[], [], []], holder);
  }

  function draw(kind, name, card) {
    const h = history[kind];
    const r = h.rates.get(name) || { in: [], out: [] };
    card.plot.setData([h.times.map(t => t / 1000), r.in.slice(), r.out.slice()]);
    const peak = Math.max(0, ...r.in.filter(v => v !== null), ...r.out.filter(v => v !== null));
    card.chart.dataset.peak = String(peak);
    card.chart.dataset.points = String(h.times.length);
  }

  // --- tables ----------------------------------------------------------------------------------

  function table(title, columns, rows) {
    const t = make('table', 'sb-table');
    if (title) t.appendChild(make('caption', '', title));
    const head = t.createTHead().insertRow();
    columns.forEach(c => head.appendChild(make('th', '', c)));
    const body = t.createTBody();
    rows.forEach(row => {
      const tr = body.insertRow();
      row.forEach(cell => tr.appendChild(make('td', '', String(cell))));
    });
    return t;
  }

  function figures(holder, list) {
    holder.replaceChildren(...list.map(([key, value, unit]) => {
      const f = make('span', 'sb-figure');
      f.dataset.figure = key;
      f.appendChild(make('b', '', value));
      f.appendChild(make('span', '', unit));
      return f;
    }));
  }

  // --- endpoints -------------------------------------------------------------------------------

  function endpointCard(e) {
    const card = { node: make('div', 'sb-card') };
    card.node.dataset.endpoint = e.id;
    const head = make('div', 'sb-head');
    head.appendChild(make('span', 'sb-title', e.id));
    card.protocol = head.appendChild(make('span', 'sb-protocol'));
    card.badge = head.appendChild(make('span', 'sb-badge sb-state'));
    card.reason = head.appendChild(make('span', 'sb-reason'));
    card.since = head.appendChild(make('span', 'sb-since'));
    card.node.appendChild(head);
    card.figures = card.node.appendChild(make('div', 'sb-figures'));
    const body = card.node.appendChild(make('div', 'sb-body'));
    card.chart = body.appendChild(make('div', 'sb-chart'));
    card.panel = body.appendChild(make('div', 'sb-panel'));
    const actions = card.node.appendChild(make('div', 'sb-actions'));
    card.toggle = actions.appendChild(make('button', 'sb-toggle'));
    card.toggle.type = 'button';
    card.toggle.addEventListener('click', () => act(card.toggle.dataset.action, e.id));
    const restart = actions.appendChild(make('button', 'sb-restart', 'Restart'));
    restart.type = 'button';
    restart.addEventListener('click', () => act('restart', e.id));
    card.send = actions.appendChild(make('span', 'sb-send'));
    const channel = card.send.appendChild(make('input', 'sb-channel'));
    channel.placeholder = 'channel';
    channel.size = 14;
    const text = card.send.appendChild(make('input', 'sb-text'));
    text.placeholder = 'test message';
    text.size = 24;
    const send = card.send.appendChild(make('button', 'sb-send-button', 'Send'));
    send.type = 'button';
    send.addEventListener('click', () => act('send', e.id, { channel: channel.value, text: text.value }));
    card.plot = chart(card.chart);
    return card;
  }

  function showEndpoint(card, e) {
    card.protocol.textContent = e.protocol;
    card.badge.textContent = e.state;
    card.badge.className = 'sb-badge sb-state sb-' + e.state.toLowerCase();
    card.badge.title = e.detail;
    card.reason.textContent = (e.detail !== 'NONE' ? e.detail.toLowerCase().replace(/_/g, ' ') + ': ' : '') + e.reason;
    card.since.textContent = since(e.since);
    figures(card.figures, [
      ['rateIn', rate(e.rateIn), 'in/s'], ['rateOut', rate(e.rateOut), 'out/s'],
      ['messagesIn', number(e.messagesIn), 'messages in'], ['messagesOut', number(e.messagesOut), 'messages out'],
      ['bytesIn', number(e.bytesIn), 'bytes in'], ['bytesOut', number(e.bytesOut), 'bytes out'],
      ['errors', number(e.errors), 'errors'], ['reconnects', number(e.reconnects), 'reconnects']]);
    const panel = JSON.stringify(e.panel);
    if (card.panelJson !== panel) {
      card.panelJson = panel;
      card.panel.replaceChildren(...e.panel.map(t => table(t.title, t.columns, t.rows)));
    }
    const disabled = e.detail === 'DISABLED';
    card.toggle.textContent = disabled ? 'Enable' : 'Disable';
    card.toggle.dataset.action = disabled ? 'enable' : 'disable';
    card.send.hidden = !e.canSend;
  }

  // --- gateways --------------------------------------------------------------------------------

  function gatewayCard(g) {
    const card = { node: make('div', 'sb-card') };
    card.node.dataset.gateway = g.name;
    const head = make('div', 'sb-head');
    head.appendChild(make('span', 'sb-title', g.name));
    card.badge = head.appendChild(make('span', 'sb-badge sb-state'));
    card.reason = head.appendChild(make('span', 'sb-reason'));
    card.node.appendChild(head);
    card.figures = card.node.appendChild(make('div', 'sb-figures'));
    const body = card.node.appendChild(make('div', 'sb-body'));
    card.chart = body.appendChild(make('div', 'sb-chart'));
    card.panel = body.appendChild(make('div', 'sb-panel'));
    card.plot = chart(card.chart);
    return card;
  }

  function showGateway(card, g) {
    card.badge.textContent = g.active ? 'ACTIVE' : 'INACTIVE';
    card.badge.className = 'sb-badge sb-state ' + (g.active ? 'sb-online' : 'sb-offline');
    card.reason.textContent = g.active ? '' : g.reason;
    figures(card.figures, [
      ['rateIn', rate(g.rateIn), 'in/s'], ['rateOut', rate(g.rateOut), 'out/s'],
      ['routed', number(g.routed), 'routed'], ['duplicates', number(g.duplicates), 'duplicates'],
      ['loopsBlocked', number(g.loopsBlocked), 'loops blocked'], ['empty', number(g.empty), 'empty skipped']]);
    const sinks = new Map(g.sinks.map(s => [s.endpoint, s]));
    const rows = g.members.map(m => {
      const s = sinks.get(m.endpoint);
      return [m.endpoint, m.channel, m.direction, m.sourcePresent ? 'yes' : 'absent', m.sinkPresent ? 'yes' : 'absent',
        s ? s.queued : '-', s ? s.delivered : '-', s ? s.failed : '-', s ? s.dropped : '-'];
    });
    const panel = JSON.stringify(rows);
    if (card.panelJson !== panel) {
      card.panelJson = panel;
      card.panel.replaceChildren(table('Members', ['endpoint', 'channel', 'direction', 'source', 'sink', 'queued',
        'delivered', 'failed', 'dropped'], rows));
    }
  }

  // --- the whole page --------------------------------------------------------------------------

  function place(kind, holder, list, key, create, show, empty) {
    const seen = new Set();
    list.forEach((item, i) => {
      const name = item[key];
      seen.add(name);
      let card = cards[kind].get(name);
      if (!card) {
        card = create(item);
        cards[kind].set(name, card);
      }
      if (holder.children[i] !== card.node) holder.insertBefore(card.node, holder.children[i] || null);
      show(card, item);
      draw(kind, name, card);
    });
    for (const [name, card] of cards[kind]) {
      if (!seen.has(name)) { card.plot.destroy(); card.node.remove(); cards[kind].delete(name); }
    }
    let note = holder.querySelector('.sb-empty');
    if (!list.length && !note) holder.appendChild(make('p', 'sb-empty', empty));
    if (list.length && note) note.remove();
  }

  function show(j) {
    keep('endpoints', j.history.endpoints);
    keep('gateways', j.history.gateways);
    const sum = (list, f) => list.reduce((total, x) => total + x[f], 0);
    const t = j.totals;
    const totals = document.getElementById('sb-totals');
    totals.replaceChildren(
      make('span', '', t.endpoints + ' endpoints, ' + t.online + ' online; ' + rate(sum(j.endpoints, 'rateIn')) + ' in/s, '
        + rate(sum(j.endpoints, 'rateOut')) + ' out/s; messages in ' + number(t.messagesIn) + ', out '
        + number(t.messagesOut) + '; routed ' + number(t.routed) + ', queued ' + number(t.queued) + '. '));
    const link = totals.appendChild(make('a', '', 'JSON'));
    link.href = root.dataset.label + '.json';
    totals.dataset.online = String(t.online);
    place('endpoints', document.getElementById('sb-endpoints'), j.endpoints, 'id', endpointCard, showEndpoint,
      'No endpoints configured.');
    place('gateways', document.getElementById('sb-gateways'), j.gateways, 'name', gatewayCard, showGateway,
      j.routerPresent ? 'No gateways configured (factory PID dev.switchboard.gateway).' : 'The router is not running.');
  }

  function refresh() {
    if (loading) return;
    loading = true;
    fetch(label + '.json?history=' + lastSample, { credentials: 'same-origin', cache: 'no-store' })
      .then(r => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(show)
      .catch(e => notice('Cannot read the status: ' + e.message, false))
      .finally(() => { loading = false; });
  }

  function notice(text, ok) {
    const n = document.getElementById('sb-notice');
    n.textContent = text;
    n.className = ok ? '' : 'sb-failed';
  }

  function act(action, endpoint, extra) {
    const body = new URLSearchParams(Object.assign({ action: action, endpoint: endpoint }, extra || {}));
    fetch(label + '/action', { method: 'POST', credentials: 'same-origin', headers: { 'X-Switchboard-Token': token }, body: body })
      .then(r => r.json().catch(() => ({ ok: false, message: 'HTTP ' + r.status })))
      .then(a => { notice(a.message, a.ok); refresh(); })
      .catch(e => notice(action + ' failed: ' + e.message, false));
  }

  // each status change as it happens, from the endpoints' status events
  function follow() {
    fetch(label + '/status.json?after=' + seq, { credentials: 'same-origin', cache: 'no-store' })
      .then(r => r.json())
      .then(j => {
        if (j.changes.length) { seq = Math.max(seq, ...j.changes.map(c => c.seq)); refresh(); }
        follow();
      })
      .catch(() => setTimeout(follow, 2000));
  }

  refresh();
  setInterval(refresh, 1000);
  follow();
})();
