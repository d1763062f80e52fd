// A tenant chooser shared by the customer, challenge and audit pages (a scoped session has one tenant).
import { h, field } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { session } from '../console.js';

export async function tenantSelect(selected, { allowAll = false } = {}) {
  const scoped = session.current.tenantId;
  const tenants = scoped ? [{ id: scoped, name: scoped }] : (await api('GET', '/admin/v1/tenants')).body.tenants;
  const select = h('select', { name: 'tenant' }, allowAll ? h('option', { value: '' }, t('common.allTenants')) : null, tenants.map((tenant) => h('option', { value: tenant.id }, `${tenant.name} (${tenant.id})`)));
  if (selected) select.value = selected;
  return { select, field: field(t('common.tenant'), select) };
}

/**
 * The head of a page about one tenant at `#/<section>/<tenant>`: its title and a tenant chooser that
 * moves the hash; `tenant` is the one shown (the path's, the scoped session's, or the first listed).
 */
export async function tenantPageHead(section, title, tenantId) {
  const picker = await tenantSelect(tenantId ?? session.current.tenantId);
  picker.select.addEventListener('change', () => (location.hash = `#/${section}/${picker.select.value}`));
  return { page: [h('h1', {}, title), h('div', { class: 'card' }, h('div', { class: 'row' }, picker.field))], tenant: tenantId ?? picker.select.value };
}
