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
