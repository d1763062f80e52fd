// Challenge search within a tenant (customer, status, reason, time) and one challenge's timeline:
// decision and the rules that fired, channel, each channel module's sections (as its metadata
// describes them: channels.js), deliveries, audit entries.
import { h, field, notice, table, toast, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { tenantSelect } from './tenant-picker.js';
import { can, route } from '../console.js';
import { holdBadge, stopHoldForm } from './holds.js';
import { channelMetadata, text } from '../channels.js';

const statuses = ['pending', 'approved', 'denied', 'expired', 'canceled', 'failed', 'not_required'];
const amountText = (amount) => (amount && typeof amount === 'object' ? `${amount.value} ${amount.currency}` : '—');
/** One section of a module's part of the timeline (its `timeline` metadata), from the value under its key. */
function moduleSection(section, value) {
  const cell = (format, item) => (format === 'time' ? fmtTime(item) || '—' : format === 'yesno' ? t(item ? 'common.yes' : 'common.no') : item === null || item === undefined ? '—' : String(item));
  let body;
  if (section.kind === 'table') {
    const rows = Array.isArray(value) ? value : [];
    body = rows.length ? table(section.columns.map((column) => text(column.label)), rows.map((row) => h('tr', {}, section.columns.map((column) => h('td', {}, cell(column.format, row[column.field])))))) : h('p', { class: 'muted' }, text(section.empty));
  } else {
    body = value ? h('p', {}, section.fields.map((entry, index) => [index ? ' · ' : '', `${text(entry.label)}: ${cell(entry.format, value[entry.field])}`])) : h('p', { class: 'muted' }, text(section.empty));
  }
  return h('section', { class: 'card', 'data-testid': `timeline-${section.key}` }, h('h2', {}, text(section.title)), body);
}

const statusBadge = (status) => h('span', { class: `badge ${status === 'approved' || status === 'not_required' ? 'good' : status === 'pending' ? '' : 'bad'}` }, t(`status.${status}`));

export async function challengesPage(tenantId, params = new URLSearchParams()) {
  const picker = await tenantSelect(tenantId);
  const customer = h('input', { type: 'text', value: params.get('customer') ?? '', maxlength: 64 });
  const status = h('select', {}, h('option', { value: '' }, t('common.any')), statuses.map((s) => h('option', { value: s }, t(`status.${s}`))));
  status.value = params.get('status') ?? '';
  const reason = h('input', { type: 'text', value: params.get('reason') ?? '', maxlength: 64, placeholder: 'daily_cumulative_threshold' });
  const from = h('input', { type: 'datetime-local', value: params.get('from') ?? '' });
  const to = h('input', { type: 'datetime-local', value: params.get('to') ?? '' });
  const form = h(
    'form',
    { class: 'card' },
    h('div', { class: 'row' }, picker.field, field(t('challenges.customer'), customer), field(t('challenges.status'), status), field(t('challenges.reason'), reason), field(t('challenges.from'), from), field(t('challenges.to'), to)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('challenges.search'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, input] of [['customer', customer], ['status', status], ['reason', reason], ['from', from], ['to', to]]) if (input.value.trim()) query.set(name, input.value.trim());
    location.hash = `#/challenges/${picker.select.value}${query.size ? `?${query}` : ''}`;
  });
  const page = [h('h1', {}, t('challenges.title')), form];
  const tenant = tenantId ?? picker.select.value;
  if (!tenant) return page;
  const query = new URLSearchParams();
  if (params.get('customer')) query.set('customerId', params.get('customer'));
  if (params.get('status')) query.set('status', params.get('status'));
  if (params.get('reason')) query.set('reason', params.get('reason'));
  if (params.get('from')) query.set('from', new Date(params.get('from')).toISOString());
  if (params.get('to')) query.set('to', new Date(params.get('to')).toISOString());
  const { challenges } = (await api('GET', `/admin/v1/tenants/${tenant}/challenges${query.size ? `?${query}` : ''}`)).body;
  const rows = challenges.map((c) =>
    h('tr', {}, h('td', {}, h('a', { href: `#/challenges/${tenant}/${c.id}`, class: 'mono' }, c.id)), h('td', {}, c.customerId), h('td', {}, t(`type.${c.type}`)), h('td', {}, amountText(c.amount)), h('td', {}, statusBadge(c.status)), h('td', {}, c.reasons.join(', ') || '—'), h('td', {}, c.channel ?? '—'), h('td', {}, c.resultReason ?? '—'), h('td', {}, fmtTime(c.createdAt))),
  );
  page.push(challenges.length ? table([t('challenges.id'), t('challenges.customer'), t('challenges.type'), t('challenges.amount'), t('challenges.status'), t('challenges.rules'), t('challenges.channel'), t('challenges.result'), t('common.created')], rows, { 'data-testid': 'challenges' }) : h('p', { class: 'muted' }, t('challenges.none')));
  return page;
}

function redeliverButton(tenantId, delivery) {
  if (!can('operator') || delivery.status === 'pending') return null;
  const button = h('button', { type: 'button', class: 'secondary' }, t('deliveries.redeliver'));
  button.addEventListener('click', async () => {
    try {
      await api('POST', `/admin/v1/tenants/${tenantId}/deliveries/${delivery.id}/redeliver`);
      toast(t('deliveries.redelivering'));
      await route();
    } catch (error) {
      toast(error.message);
    }
  });
  return button;
}

export async function challengePage(tenantId, challengeId) {
  const timeline = (await api('GET', `/admin/v1/tenants/${tenantId}/challenges/${challengeId}`)).body;
  const c = timeline.challenge;
  const facts = [
    [t('challenges.status'), statusBadge(c.status)],
    [t('challenges.customer'), c.customerId],
    [t('challenges.type'), t(`type.${c.transaction.type}`)],
    [t('challenges.amount'), amountText(c.transaction.amount)],
    [t('challenges.payee'), c.transaction.payee ? `${c.transaction.payee.name} · ${c.transaction.payee.bank} · ${c.transaction.payee.account}` : '—'],
    [t('challenges.decision'), c.decision.stepUpRequired ? t('dryrun.stepUp') : t('dryrun.notRequired')],
    [t('challenges.rules'), c.decision.reasons.length ? h('ul', {}, c.decision.reasons.map((r) => h('li', {}, h('code', {}, r), ' — ', t(`reason.${r}`)))) : '—'],
    [t('challenges.policyVersion'), timeline.policyVersion === null ? '—' : `v${timeline.policyVersion}`],
    [t('challenges.channel'), c.channel ?? '—'],
    [t('challenges.result'), c.result ? `${c.result.reason}${c.fraudReported ? ` · ${t('challenges.fraud')}` : ''}` : '—'],
    [t('common.created'), fmtTime(c.createdAt)],
    [t('challenges.completed'), fmtTime(c.completedAt) || '—'],
  ];
  if (c.hold) {
    facts.push(
      [t('holds.hold'), [holdBadge(c.hold.state), c.hold.stoppedBy ? ` ${t(`holds.by.${c.hold.stoppedBy}`)} · ${fmtTime(c.hold.stoppedAt)}` : '', c.hold.releasedAt ? ` ${fmtTime(c.hold.releasedAt)}` : '']],
      [t('holds.releaseAt'), fmtTime(c.hold.releaseAt)],
      [t('holds.stopClosesAt'), fmtTime(c.hold.stopClosesAt)],
    );
  }
  // Stopping a held transfer (operator and up): the server answers 409 once the stop window closed.
  const stop = c.hold?.state === 'held' ? stopHoldForm(tenantId, challengeId, route) : null;
  const { modules } = await channelMetadata();
  const moduleSections = modules.flatMap((module) => (module.console?.timeline ?? []).filter((section) => section.key in timeline).map((section) => moduleSection(section, timeline[section.key])));
  const deliveries = timeline.deliveries.length
    ? timeline.deliveries.map((d) => h('div', { class: 'card', 'data-testid': 'delivery' }, h('p', {}, h('strong', {}, d.type), ' → ', h('span', { class: 'mono' }, d.url), ' ', h('span', { class: `badge ${d.status === 'delivered' ? 'good' : d.status === 'failed' ? 'bad' : ''}` }, d.status), ' ', redeliverButton(tenantId, d)), d.attempts.length ? table([t('deliveries.attempt'), t('common.time'), t('deliveries.statusCode'), t('deliveries.error'), t('deliveries.duration')], d.attempts.map((a) => h('tr', {}, h('td', {}, String(a.attempt)), h('td', {}, fmtTime(a.at)), h('td', {}, a.statusCode ?? '—'), h('td', {}, a.error ?? '—'), h('td', {}, `${a.durationMs} ms`)))) : h('p', { class: 'muted' }, t('deliveries.noAttempts'))))
    : [h('p', { class: 'muted' }, t('deliveries.none'))];
  const audit = timeline.audit.length ? table([t('audit.seq'), t('common.time'), t('audit.actor'), t('audit.action'), t('audit.data')], timeline.audit.map((e) => h('tr', {}, h('td', {}, String(e.seq)), h('td', {}, fmtTime(e.createdAt)), h('td', {}, e.actor), h('td', {}, e.action), h('td', { class: 'mono' }, JSON.stringify(e.data))))) : h('p', { class: 'muted' }, t('audit.none'));
  return [
    h('h1', {}, t('challenges.timeline'), ' ', h('span', { class: 'mono muted' }, challengeId)),
    h('p', {}, h('a', { href: `#/challenges/${tenantId}` }, t('challenges.back'))),
    h('section', { class: 'card' }, h('table', {}, h('tbody', {}, facts.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))))),
    stop,
    moduleSections,
    h('section', { class: 'card' }, h('h2', {}, t('deliveries.title')), deliveries),
    h('section', { class: 'card' }, h('h2', {}, t('audit.title')), audit),
  ];
}
