// Builds elements without innerHTML: every text from the server lands in a text node.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'value') el.value = value;
    else if (name === 'checked') el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let counter = 0;
/** A labelled field: label, control (with id and aria-describedby) and an error slot under it. */
export function field(labelText, control, { hint, name } = {}) {
  const id = control.id || `f${++counter}`;
  control.id = id;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', errorId);
  if (name) control.dataset.field = name;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hint ? h('div', { class: 'muted' }, hint) : null, h('div', { class: 'field-error', id: errorId, dataset: name ? { errorFor: name } : {} }));
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'bad' ? 'alert' : 'status' }, ...children);
}

export function table(headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' }, h('table', attrs, h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))), h('tbody', {}, rows)));
}

export function toast(message) {
  const box = document.getElementById('toast');
  box.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.textContent = ''), 5000);
}

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang) : '');
