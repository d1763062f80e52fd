// A customer by id: what each channel module shows of the customer (its facts in both languages, from
// the summary's `console` part: e.g. a masked phone number and why a channel cannot be used now), the
// lock state with unlock (a reason is required and audited), and erasure.
import { h, clear, field, notice, table, toast, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can } from '../console.js';
import { tenantSelect } from './tenant-picker.js';
import { channelMetadata, text } from '../channels.js';

/** A module's fact value, by its kind (src/channels/channel-module.ts, ConsoleFactValue). */
function factValue(value) {
  if ('label' in value && 'badge' in value) return h('span', { class: `badge ${value.badge}` }, text(value.label));
  if ('label' in value) return text(value.label);
  if ('time' in value) return value.time ? fmtTime(value.time) : '—';
  if ('yes' in value) return t(value.yes ? 'common.yes' : 'common.no');
  if ('list' in value) return h('ul', {}, value.list.map((item) => h('li', {}, text(item))));
  if ('table' in value) {
    const { columns, rows, empty } = value.table;
    return rows.length ? table(columns.map(text), rows.map((row) => h('tr', {}, row.map((cell) => h('td', {}, typeof cell === 'string' ? cell : text(cell)))))) : h('p', { class: 'muted' }, text(empty));
  }
  return value.text;
}

export async function customersPage(tenantId, customerId) {
  const picker = await tenantSelect(tenantId);
  const idInput = h('input', { type: 'text', name: 'customerId', value: customerId ?? '', maxlength: 64, required: true, autocomplete: 'off' });
  const form = h('form', { class: 'card' }, h('div', { class: 'row' }, picker.field, field(t('customers.id'), idInput)), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('customers.lookUp'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/customers/${picker.select.value}/${encodeURIComponent(idInput.value.trim())}`;
  });
  const result = h('div');
  if (tenantId && customerId) result.append(await customerView(tenantId, customerId));
  return [h('h1', {}, t('customers.title')), form, result];
}

async function customerView(tenantId, customerId) {
  let summary;
  try {
    summary = (await api('GET', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}`)).body;
  } catch (error) {
    return notice(error.status === 404 ? 'warn' : 'bad', error.status === 404 ? t('customers.notFound') : error.message);
  }
  // Each channel module's part (`console` in the summary): facts in both languages, and whether it holds the customer locked.
  const { modules } = await channelMetadata();
  const parts = modules.filter((module) => summary.console?.[module.name]).map((module) => summary.console[module.name]);
  const locked = parts.some((part) => part.locked);

  const actionResult = h('div');
  const actions = h('div', { class: 'actions' });
  let unlockSection = null;
  if (can('operator')) {
    const reason = h('input', { type: 'text', maxlength: 500, required: true });
    const unlock = h('button', { type: 'submit', disabled: !locked }, t('customers.unlock'));
    const unlockForm = h('form', { class: 'card' }, h('h2', {}, t('customers.unlockTitle')), field(t('customers.unlockReason'), reason, { name: 'reason' }), h('div', { class: 'actions' }, unlock));
    unlockForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(actionResult);
      if (!reason.value.trim()) {
        actionResult.append(notice('bad', t('customers.reasonRequired')));
        reason.focus();
        return;
      }
      try {
        const { body } = await api('POST', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}/unlock`, { reason: reason.value.trim() });
        toast(t('customers.unlocked', { what: body.unlocked.join(', ') || '—' }));
        const fresh = await customerView(tenantId, customerId);
        container.replaceWith(fresh);
      } catch (error) {
        actionResult.append(notice('bad', error.message));
      }
    });
    const erase = h('button', { type: 'button', class: 'danger' }, t('customers.erase'));
    erase.addEventListener('click', async () => {
      if (prompt(t('customers.confirmErase', { customerId })) !== customerId) return;
      try {
        await api('DELETE', `/admin/v1/tenants/${tenantId}/customers/${encodeURIComponent(customerId)}`);
        container.replaceWith(notice('good', t('customers.erased', { customerId })));
      } catch (error) {
        actionResult.append(notice('bad', error.message));
      }
    });
    actions.append(erase);
    unlockSection = unlockForm;
  }

  const rows = [
    ...parts.flatMap((part) => part.facts.map((fact) => [text(fact.label), factValue(fact.value)])),
    [t('customers.lockState'), h('span', { 'data-testid': 'lock-state', class: `badge ${locked ? 'bad' : 'good'}` }, locked ? t('customers.lockedState') : t('customers.unlockedState'))],
    [t('customers.grade'), summary.grade ?? '—'],
  ];
  const container = h(
    'div',
    { 'data-testid': 'customer' },
    h('section', { class: 'card' }, h('h2', {}, customerId), h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))), actions, actionResult),
    unlockSection,
    h('p', {}, h('a', { href: `#/challenges/${tenantId}?customer=${encodeURIComponent(customerId)}` }, t('customers.challenges'))),
  );
  return container;
}
