/** A fuzz run's figures and findings in lines a person reads (the first: the figures). */
import type { FuzzReport } from './run.ts';

export function printReport(report: FuzzReport, write: (line: string) => void): void {
  const statuses = Object.entries(report.byStatus)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  write(
    `seed ${report.seed}: ${report.requests} requests over ${report.operations} operations in ${report.seconds} s ` +
      `(${statuses}); ${report.acknowledgedWrites} acknowledged writes; ` +
      `${report.findings.length} findings, ${report.lost.length} differences from the database`,
  );
  for (const finding of report.findings.slice(0, 50))
    write(`  #${finding.index} ${finding.request} -> ${finding.status}: ${finding.problems.join(' | ')}`);
  for (const difference of report.lost.slice(0, 50)) write(`  ${difference}`);
}
