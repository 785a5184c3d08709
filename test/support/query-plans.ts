/**
 * Reading PostgreSQL's plans (EXPLAIN … FORMAT JSON): the nodes, a one-line
 * summary of them, and how many rows and buffers the scans read.
 */
import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  /** `InitPlan`, `SubPlan`: a subquery the node's condition runs (not the rows it returns). */
  'Parent Relationship'?: string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}
export interface Explained {
  Plan: PlanNode;
  'Execution Time'?: number;
  JIT?: unknown;
}

export const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
const isSubquery = (node: PlanNode) =>
  node['Parent Relationship'] === 'InitPlan' || node['Parent Relationship'] === 'SubPlan';
/** The nodes that read the rows returned: without the subqueries of conditions (a label's counts, looked up once). */
export const rowNodesOf = (node: PlanNode): PlanNode[] => [
  node,
  ...(node.Plans ?? []).filter((child) => !isSubquery(child)).flatMap(rowNodesOf),
];
const describeNode = (node: PlanNode) =>
  node['Node Type'] +
  (node['Scan Direction'] === 'Backward' ? ' Backward' : '') +
  (node['Index Name'] ? ` on ${node['Index Name']}` : '');
/** `Limit > Index Scan Backward on tasks_created_at_idx`: the plan's nodes, depth first. */
export const summary = (plan: PlanNode) => nodesOf(plan).map(describeNode).join(' > ');
const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
/** Rows the scans looked at: returned plus filtered away, over all loops. */
export const rowsRead = (plan: PlanNode) =>
  nodesOf(plan)
    .filter((node) => SCANS.has(node['Node Type']))
    .reduce(
      (sum, node) =>
        sum +
        ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1),
      0,
    );
export const buffers = (plan: PlanNode) =>
  (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);

export async function explain(
  pool: Pick<pg.Pool, 'query'>,
  query: { text: string; values: unknown[] },
  analyze: boolean,
): Promise<Explained> {
  const options = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  const { rows } = await pool.query<{ 'QUERY PLAN': Explained[] }>(
    `EXPLAIN (${options}) ${query.text}`,
    query.values,
  );
  return rows[0]?.['QUERY PLAN'][0] as Explained;
}
