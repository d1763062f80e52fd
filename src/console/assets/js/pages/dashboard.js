// A tenant's last 30 days (docs/console.md "Dashboard"): challenges per day by status, the step-up rate,
// the channel mix, one chart per channel module that declares figures (its title, figures and labels
// from assets/channels.json: the ARS answer and approval rates, or a module this page has never heard
// of), fraud reports and holds stopped — drawn with Chart.js (served by stepup itself,
// /admin/assets/vendor/) and the same numbers as a table for screen readers.
import { h, notice } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { channelMetadata, text } from '../channels.js';
import { tenantPageHead } from './tenant-picker.js';

const statuses = ['not_required', 'approved', 'denied', 'expired', 'canceled', 'failed', 'pending'];
const palette = { not_required: '#8a98a8', approved: '#16794c', denied: '#b42318', expired: '#d08c00', canceled: '#6b4fa3', failed: '#5b1a12', pending: '#0b5cad', none: '#8a98a8' };
// Channels and a module's figures take these in their order.
const series = ['#0b5cad', '#16794c', '#d08c00', '#6b4fa3', '#b42318', '#5b1a12'];
const colourAt = (index) => series[index % series.length];

let loading;
/** Chart.js, loaded once on first use (a script from stepup's own origin: the CSP allows nothing else). */
function chartLibrary() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/admin/assets/vendor/chart.umd.min.js';
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => reject(new Error('the chart library did not load')));
    document.head.append(script);
  });
  return loading;
}

// The charts on screen: destroyed before the next dashboard draws (their canvases are gone by then).
let drawn = [];

const percent = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10);
const percentText = (value) => (value === null || value === undefined ? '—' : `${percent(value)}%`);

export async function dashboardPage(tenantId) {
  const { page, tenant } = await tenantPageHead('dashboard', t('dashboard.title'), tenantId);
  if (!tenant) return page;
  const [{ body }, metadata] = await Promise.all([api('GET', `/admin/v1/tenants/${tenant}/dashboard?days=30`), channelMetadata()]);
  const days = body.series.map((entry) => entry.day.slice(5));
  // The channels: those the server knows, then any other the days name (a channel since removed), and none.
  const seen = new Set(body.series.flatMap((entry) => Object.keys(entry.byChannel)));
  const channels = [...metadata.channelNames, ...[...seen].filter((name) => name !== 'none' && !metadata.channelNames.includes(name)), 'none'];
  const channelColour = (name) => palette[name] ?? colourAt(channels.indexOf(name));
  // The modules' charts: those whose figures the data carries, each with the figures it charts.
  const moduleCharts = metadata.modules
    .filter((module) => module.dashboard && body.series.every((entry) => entry[module.name]))
    .map((module) => ({ name: module.name, title: text(module.dashboard.title), figures: module.dashboard.figures.filter((figure) => figure.chart) }))
    .filter((chart) => chart.figures.length > 0);
  const figures = [
    ['status', t('dashboard.byStatus')],
    ['stepup', t('dashboard.stepUpRate')],
    ['channels', t('dashboard.channelMix')],
    ...moduleCharts.map((chart) => [`module:${chart.name}`, chart.title]),
    ['fraud', t('dashboard.fraudAndHolds')],
  ].map(([name, title]) => {
    const canvas = h('canvas', { role: 'img', 'aria-label': t('dashboard.chartLabel', { title }), 'data-chart': name });
    return { name, canvas, figure: h('figure', { class: 'card chart-card' }, h('figcaption', {}, h('strong', {}, title)), h('div', { class: 'chart-box' }, canvas)) };
  });
  const status = h('div');
  page.push(
    h('p', { class: 'muted' }, t('dashboard.hint', { days: body.days, timezone: body.timezone })),
    status,
    h('div', { class: 'charts', 'data-testid': 'dashboard-charts' }, figures.map((figure) => figure.figure)),
    numbersTable(body, channels, moduleCharts),
  );

  // Drawn once the page is in the document (Chart.js measures its canvas's container).
  queueMicrotask(async () => {
    try {
      const Chart = await chartLibrary();
      for (const chart of drawn) chart.destroy();
      drawn = [];
      const options = (stacked, max) => ({
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ...(max ? { max } : {}) } },
        plugins: { legend: { position: 'bottom' } },
      });
      const used = (names, value) => names.filter((name) => body.series.some((entry) => value(entry, name)));
      const configs = {
        status: { type: 'bar', data: { labels: days, datasets: used(statuses, (e, s) => e.byStatus[s]).map((s) => ({ label: t(`status.${s}`), data: body.series.map((e) => e.byStatus[s] ?? 0), backgroundColor: palette[s] })) }, options: options(true) },
        stepup: { type: 'line', data: { labels: days, datasets: [{ label: t('dashboard.stepUpRatePercent'), data: body.series.map((e) => (e.total ? percent(e.stepUpRate) : null)), borderColor: '#0b5cad', backgroundColor: '#0b5cad', spanGaps: true }] }, options: options(false, 100) },
        channels: { type: 'bar', data: { labels: days, datasets: used(channels, (e, c) => e.byChannel[c]).map((c) => ({ label: c, data: body.series.map((e) => e.byChannel[c] ?? 0), backgroundColor: channelColour(c) })) }, options: options(true) },
        ...Object.fromEntries(moduleCharts.map((chart) => [`module:${chart.name}`, moduleChart(chart, body, days, options)])),
        fraud: {
          type: 'bar',
          data: {
            labels: days,
            datasets: [
              { label: t('dashboard.fraudReports'), data: body.series.map((e) => e.fraudReports), backgroundColor: '#b42318' },
              { label: t('dashboard.holdsStopped'), data: body.series.map((e) => e.holdsStopped), backgroundColor: '#d08c00' },
            ],
          },
          options: options(false),
        },
      };
      for (const { name, canvas } of figures) if (canvas.isConnected) drawn.push(new Chart(canvas, configs[name]));
    } catch (error) {
      status.append(notice('bad', error.message));
    }
  });
  return page;
}

/** A module's chart: its rates as lines in percent (0–100), or, when it charts counts, bars. */
function moduleChart(chart, body, days, options) {
  const ratesOnly = chart.figures.every((figure) => figure.kind === 'rate');
  const datasets = chart.figures.map((figure, index) => ({
    label: text(figure.label),
    data: body.series.map((e) => (figure.kind === 'rate' ? percent(e[chart.name][figure.key]) : e[chart.name][figure.key])),
    borderColor: colourAt(index),
    backgroundColor: colourAt(index),
    ...(ratesOnly ? { spanGaps: true } : {}),
  }));
  return { type: ratesOnly ? 'line' : 'bar', data: { labels: days, datasets }, options: ratesOnly ? options(false, 100) : options(false) };
}

/** A figure's value in the table: a rate in percent, a count as it is. */
const figureText = (figure, value) => (figure.kind === 'rate' ? percentText(value) : value ?? 0);

/** Every number the charts show, one row per day. */
function numbersTable(body, channels, moduleCharts) {
  const moduleFigures = moduleCharts.flatMap((chart) => chart.figures.map((figure) => ({ module: chart.name, figure })));
  const head = [t('dashboard.day'), t('dashboard.total'), ...statuses.map((s) => t(`status.${s}`)), t('dashboard.stepUpRate'), ...channels.map((c) => `${t('backtest.channel')}: ${c}`), ...moduleFigures.map(({ figure }) => text(figure.label)), t('dashboard.fraudReports'), t('dashboard.holdsStopped')];
  const rows = body.series.map((e) =>
    h('tr', {}, h('th', { scope: 'row' }, e.day), h('td', {}, e.total), statuses.map((s) => h('td', {}, e.byStatus[s] ?? 0)), h('td', {}, percentText(e.stepUpRate)), channels.map((c) => h('td', {}, e.byChannel[c] ?? 0)), moduleFigures.map(({ module, figure }) => h('td', {}, figureText(figure, e[module][figure.key]))), h('td', {}, e.fraudReports), h('td', {}, e.holdsStopped)),
  );
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, t('dashboard.numbers')),
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'dashboard-table' }, h('caption', {}, t('dashboard.hint', { days: body.days, timezone: body.timezone })), h('thead', {}, h('tr', {}, head.map((text) => h('th', { scope: 'col' }, text)))), h('tbody', {}, rows))),
  );
}
