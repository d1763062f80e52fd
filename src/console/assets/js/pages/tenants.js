// Tenants and their keys: list, create, rename; issue a key (the secret shown once), revoke it;
// rotate the webhook secret.
import { h, clear, field, notice, table, toast, fmtTime } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, session, route } from '../console.js';
import { carrierGatewayCard } from './carrier-gateway.js';

/** A secret the server shows once: a warning, the value and a copy button. */
export function shownOnce(label, value) {
  const copy = h('button', { type: 'button', class: 'secondary', 'data-testid': 'copy-secret' }, t('secret.copy'));
  copy.addEventListener('click', async () => {
    await navigator.clipboard?.writeText(value).catch(() => undefined);
    toast(t('secret.copied'));
  });
  return h('div', { class: 'notice warn', role: 'alert', 'data-testid': 'shown-once' }, h('strong', {}, label), h('p', {}, t('secret.once')), h('div', { class: 'secret' }, h('code', { 'data-testid': 'secret-value' }, value), copy));
}

export function showErrors(form, error) {
  for (const slot of form.querySelectorAll('[data-error-for]')) slot.textContent = '';
  const fieldErrors = error.fieldErrors?.() ?? [];
  let placed = false;
  for (const { path, message } of fieldErrors) {
    const name = path.replace(/^body\./, '');
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    if (slot) {
      slot.textContent = message;
      placed = true;
    }
  }
  form.querySelector('.notice.bad[data-form-error]')?.remove();
  if (!placed) {
    const box = notice('bad', error.message);
    box.dataset.formError = '';
    form.append(box);
  }
}

export async function tenantsPage() {
  const scoped = session.current.tenantId;
  const tenants = scoped ? [(await api('GET', `/admin/v1/tenants/${scoped}`)).body] : (await api('GET', '/admin/v1/tenants')).body.tenants;
  const rows = tenants.map((tenant) =>
    h('tr', {}, h('td', {}, h('a', { href: `#/tenants/${tenant.id}` }, tenant.name)), h('td', {}, tenant.bankName), h('td', { class: 'mono' }, tenant.id), h('td', {}, fmtTime(tenant.createdAt)), h('td', {}, h('a', { href: `#/tenants/${tenant.id}/policy` }, t('tenants.policy')))),
  );
  const page = [h('h1', {}, t('tenants.title')), table([t('tenants.name'), t('tenants.bankName'), t('tenants.id'), t('common.created'), ''], rows, { 'data-testid': 'tenants' })];
  if (can('superadmin') && !scoped) page.push(createTenantForm());
  return page;
}

function createTenantForm() {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100 });
  const bankName = h('input', { type: 'text', name: 'bankName', maxlength: 100 });
  const callback = h('input', { type: 'text', name: 'defaultCallbackUrl', inputmode: 'url', placeholder: 'https://bank.example/stepup/events' });
  // Maker-checker for policy changes: on unless the superadmin creating the tenant says otherwise.
  const makerChecker = h('input', { type: 'checkbox', name: 'makerChecker', checked: true });
  const result = h('div');
  const form = h(
    'form',
    { class: 'card' },
    h('h2', {}, t('tenants.create')),
    h('div', { class: 'row' }, field(t('tenants.name'), name, { name: 'name' }), field(t('tenants.bankName'), bankName, { name: 'bankName', hint: t('tenants.bankNameHint') }), field(t('tenants.callbackUrl'), callback, { name: 'defaultCallbackUrl' })),
    h('label', { class: 'inline' }, makerChecker, t('tenants.makerChecker')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('tenants.createButton'))),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    const body = { name: name.value.trim(), ...(makerChecker.checked ? {} : { policyApproval: { required: false } }) };
    if (bankName.value.trim()) body.bankName = bankName.value.trim();
    if (callback.value.trim()) body.defaultCallbackUrl = callback.value.trim();
    try {
      const created = (await api('POST', '/admin/v1/tenants', body)).body;
      result.append(notice('good', t('tenants.created', { name: created.name }), ' ', h('a', { href: `#/tenants/${created.id}` }, t('tenants.open'))), shownOnce(t('tenants.webhookSecret'), created.webhookSecret));
      form.reset();
    } catch (error) {
      showErrors(form, error);
    }
  });
  return h('section', { class: 'card-wrap' }, form);
}

export async function tenantPage(tenantId) {
  const tenant = (await api('GET', `/admin/v1/tenants/${tenantId}`)).body;
  const keys = (await api('GET', `/admin/v1/tenants/${tenantId}/keys`)).body.keys;
  const superadmin = can('superadmin');
  const container = h('div');

  const name = h('input', { type: 'text', value: tenant.name, maxlength: 100, disabled: !superadmin });
  const bankName = h('input', { type: 'text', value: tenant.bankName, maxlength: 100, disabled: !superadmin });
  const callback = h('input', { type: 'text', value: tenant.defaultCallbackUrl ?? '', inputmode: 'url', disabled: !superadmin });
  const renameResult = h('div');
  const renameForm = h(
    'form',
    { class: 'card' },
    h('h2', {}, t('tenants.settings')),
    h('div', { class: 'row' }, field(t('tenants.name'), name, { name: 'name' }), field(t('tenants.bankName'), bankName, { name: 'bankName' }), field(t('tenants.callbackUrl'), callback, { name: 'defaultCallbackUrl' })),
    superadmin ? h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.save'))) : null,
    renameResult,
  );
  renameForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(renameResult);
    try {
      await api('PUT', `/admin/v1/tenants/${tenantId}`, { name: name.value.trim(), bankName: bankName.value.trim(), defaultCallbackUrl: callback.value.trim() || null });
      renameResult.append(notice('good', t('common.saved')));
    } catch (error) {
      showErrors(renameForm, error);
    }
  });

  const keyResult = h('div');
  const keyRows = keys.map((key) => {
    const revoke = superadmin && !key.revokedAt ? h('button', { type: 'button', class: 'danger', 'aria-label': t('keys.revokeKey', { keyId: key.keyId }) }, t('keys.revoke')) : null;
    revoke?.addEventListener('click', async () => {
      if (!confirm(t('keys.confirmRevoke', { keyId: key.keyId }))) return;
      await api('DELETE', `/admin/v1/tenants/${tenantId}/keys/${key.keyId}`);
      toast(t('keys.revoked'));
      route();
    });
    return h('tr', {}, h('td', { class: 'mono' }, key.keyId), h('td', {}, key.alg), h('td', {}, fmtTime(key.createdAt)), h('td', {}, key.revokedAt ? h('span', { class: 'badge bad' }, t('keys.revokedAt', { time: fmtTime(key.revokedAt) })) : h('span', { class: 'badge good' }, t('keys.active'))), h('td', {}, revoke));
  });
  const newKey = h('button', { type: 'button' }, t('keys.create'));
  newKey.addEventListener('click', async () => {
    clear(keyResult);
    try {
      const key = (await api('POST', `/admin/v1/tenants/${tenantId}/keys`, {})).body;
      keyResult.append(notice('good', t('keys.created', { keyId: key.keyId })), shownOnce(t('keys.secret'), key.secret));
    } catch (error) {
      keyResult.append(notice('bad', error.message));
    }
  });
  const rotate = h('button', { type: 'button', class: 'secondary' }, t('tenants.rotateWebhook'));
  rotate.addEventListener('click', async () => {
    if (!confirm(t('tenants.confirmRotate'))) return;
    clear(keyResult);
    const { body } = await api('POST', `/admin/v1/tenants/${tenantId}/webhook-secret`);
    keyResult.append(shownOnce(t('tenants.webhookSecret'), body.webhookSecret));
  });

  container.append(
    h('h1', {}, tenant.name, ' ', h('span', { class: 'muted mono' }, tenant.id)),
    h('p', {}, h('a', { href: `#/tenants/${tenantId}/policy` }, t('tenants.policy')), ' · ', h('a', { href: `#/customers/${tenantId}` }, t('nav.customers')), ' · ', h('a', { href: `#/challenges/${tenantId}` }, t('nav.challenges'))),
    renameForm,
    h('section', { class: 'card' }, h('h2', {}, t('keys.title')), table([t('keys.keyId'), t('keys.alg'), t('common.created'), t('keys.state'), ''], keyRows, { 'data-testid': 'keys' }), superadmin ? h('div', { class: 'actions' }, newKey, rotate) : null, keyResult),
    await carrierGatewayCard(tenantId),
  );
  return container;
}
