/**
 * The metric and label names a PromQL expression refers to, so a test can
 * check dashboards and alert rules against what the code exports. Enough
 * PromQL for our own queries: selectors, functions, aggregations with
 * by/without, ranges and subqueries, binary operators.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

export interface PromqlNames {
  metrics: Set<string>;
  /** Label names used in selectors and in by/without clauses. */
  labels: Set<string>;
}

export function namesIn(expr: string): PromqlNames {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_match, matchers: string) => {
    for (const [, label] of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g))
      labels.add(label as string);
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g, (_match, list: string) => {
    for (const label of list.split(',').map((name) => name.trim())) if (label) labels.add(label);
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ');
  for (const [, name, call] of rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (!call && !KEYWORDS.has(name as string)) metrics.add(name as string);
  }
  return { metrics, labels };
}
