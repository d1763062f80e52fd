// A backtest (docs/admin-api.md "Backtest") drawn for people: the fraud-reported challenges the draft
// would let through first, then a bar chart of current against draft, and the same numbers as a table
// (the chart is an image to screen readers; the table is what they read).
import { h } from './dom.js';
import { t } from './i18n.js';

const svgNs = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
};

/** The rows of the comparison: [label, current, draft]. */
function rowsOf(result) {
  const rows = [[t('backtest.steppedUp'), result.steppedUp.current, result.steppedUp.draft], [t('backtest.holds'), result.holds.current, result.holds.draft]];
  const reasons = [...new Set([...Object.keys(result.byReason.current), ...Object.keys(result.byReason.draft)])];
  for (const reason of reasons) rows.push([`${t('backtest.reason')}: ${reason}`, result.byReason.current[reason] ?? 0, result.byReason.draft[reason] ?? 0]);
  const channels = [...new Set([...Object.keys(result.byChannel.current), ...Object.keys(result.byChannel.draft)])];
  for (const channel of channels) rows.push([`${t('backtest.channel')}: ${channel}`, result.byChannel.current[channel] ?? 0, result.byChannel.draft[channel] ?? 0]);
  return rows;
}

/** Horizontal bars, two per row (current, draft), scaled to the largest count. */
function chart(rows, summary) {
  const barHeight = 14;
  const rowHeight = barHeight * 2 + 14;
  const labelWidth = 260;
  const width = 560;
  const max = Math.max(1, ...rows.flatMap(([, current, draft]) => [current, draft]));
  const scale = (value) => Math.max(value > 0 ? 2 : 0, Math.round(((width - labelWidth - 60) * value) / max));
  const height = rows.length * rowHeight + 28;
  const bars = rows.flatMap(([label, current, draft], index) => {
    const y = 24 + index * rowHeight;
    return [
      svg('text', { x: 0, y: y + barHeight + 2, class: 'chart-label' }, label),
      svg('rect', { x: labelWidth, y, width: scale(current), height: barHeight, class: 'bar-current' }),
      svg('text', { x: labelWidth + scale(current) + 4, y: y + barHeight - 2, class: 'chart-value' }, current),
      svg('rect', { x: labelWidth, y: y + barHeight + 2, width: scale(draft), height: barHeight, class: 'bar-draft' }),
      svg('text', { x: labelWidth + scale(draft) + 4, y: y + barHeight * 2, class: 'chart-value' }, draft),
    ];
  });
  const legend = [
    svg('rect', { x: labelWidth, y: 4, width: 12, height: 12, class: 'bar-current' }),
    svg('text', { x: labelWidth + 16, y: 14, class: 'chart-value' }, t('backtest.current')),
    svg('rect', { x: labelWidth + 120, y: 4, width: 12, height: 12, class: 'bar-draft' }),
    svg('text', { x: labelWidth + 136, y: 14, class: 'chart-value' }, t('backtest.draft')),
  ];
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': summary, class: 'chart', 'data-testid': 'backtest-chart' }, ...legend, ...bars);
}

export function backtestView(tenantId, result) {
  const summary = t('backtest.summary', { days: result.days, decisions: result.decisions, current: result.steppedUp.current, draft: result.steppedUp.draft });
  const fraud = result.fraudReportedPassingTotal
    ? h(
        'div',
        { class: 'notice bad', role: 'alert', 'data-testid': 'backtest-fraud' },
        h('strong', {}, t('backtest.fraudPassing', { count: result.fraudReportedPassingTotal })),
        h('ul', {}, result.fraudReportedPassing.map((id) => h('li', {}, h('a', { href: `#/challenges/${tenantId}/${id}`, class: 'mono' }, id)))),
      )
    : h('p', { class: 'notice good', 'data-testid': 'backtest-fraud' }, t('backtest.noFraudPassing'));
  const rows = rowsOf(result);
  const numbers = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'backtest-table' },
      h('caption', {}, summary),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('backtest.measure')), h('th', { scope: 'col' }, t('backtest.current')), h('th', { scope: 'col' }, t('backtest.draft')), h('th', { scope: 'col' }, t('backtest.change')))),
      h('tbody', {}, rows.map(([label, current, draft]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, current), h('td', {}, draft), h('td', {}, draft - current > 0 ? `+${draft - current}` : String(draft - current))))),
    ),
  );
  return h('div', { class: 'backtest', 'data-testid': 'backtest' }, fraud, h('p', { class: 'muted' }, summary), chart(rows, summary), numbers);
}
