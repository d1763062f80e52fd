// The changes between two JSON documents as a flat list of paths with old and new values.
export function jsonDiff(before, after, path = '') {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => jsonDiff(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '(document)', before, after }];
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
