// The tenant's carrier gateway (forwarding inquiries, docs/carrier-gateway.md): URL, timeout, on/off,
// secret rotation (a generated secret is shown once), removal. Policy admins change it; others read it.
import { h, clear, field, notice } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, route } from '../console.js';
import { shownOnce, showErrors } from './tenants.js';

export async function carrierGatewayCard(tenantId) {
  let gateway = null;
  try {
    gateway = (await api('GET', `/admin/v1/tenants/${tenantId}/carrier-gateway`)).body;
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const editable = can('policy-admin');
  const url = h('input', { type: 'text', inputmode: 'url', value: gateway?.url ?? '', disabled: !editable, placeholder: 'https://carrier-gateway.bank.example/forwarding' });
  const timeout = h('input', { type: 'number', min: 100, max: 10000, value: String(gateway?.timeoutMs ?? 2000), disabled: !editable });
  const enabled = h('input', { type: 'checkbox', checked: gateway ? gateway.enabled : true, disabled: !editable });
  const rotate = h('input', { type: 'checkbox', disabled: !editable || !gateway });
  const result = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'gateway-title' },
    h('h2', { id: 'gateway-title' }, t('gateway.title')),
    h('p', { class: 'muted' }, gateway ? t('gateway.configured') : t('gateway.none')),
    h('div', { class: 'row' }, field(t('gateway.url'), url, { name: 'url' }), field(t('gateway.timeout'), timeout, { name: 'timeoutMs' })),
    h('label', { class: 'inline' }, enabled, t('gateway.enabled')),
    gateway ? h('label', { class: 'inline' }, rotate, t('gateway.rotate')) : null,
    editable ? h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.save')), gateway ? removeButton(tenantId, result) : null) : null,
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    try {
      const body = { url: url.value.trim(), timeoutMs: Number(timeout.value), enabled: enabled.checked, ...(rotate.checked ? { rotateSecret: true } : {}) };
      const saved = (await api('PUT', `/admin/v1/tenants/${tenantId}/carrier-gateway`, body)).body;
      result.append(notice('good', t('common.saved')));
      if (saved.secret) result.append(shownOnce(t('gateway.secret'), saved.secret));
    } catch (error) {
      showErrors(form, error);
    }
  });
  return form;
}

function removeButton(tenantId, result) {
  const button = h('button', { type: 'button', class: 'danger' }, t('gateway.remove'));
  button.addEventListener('click', async () => {
    if (!confirm(t('gateway.confirmRemove'))) return;
    try {
      await api('DELETE', `/admin/v1/tenants/${tenantId}/carrier-gateway`);
      await route();
    } catch (error) {
      result.append(notice('bad', error.message));
    }
  });
  return button;
}
